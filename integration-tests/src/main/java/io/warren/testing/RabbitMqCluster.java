package io.warren.testing;

import static java.util.Objects.requireNonNull;

import com.rabbitmq.client.Address;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A RabbitMQ cluster of private nodes on this machine ({@link RabbitMqBroker}s that share an Erlang
 * cookie and a user), for reliability tests: stop a node under load, start it again.
 *
 * <pre>{@code
 * try (RabbitMqCluster cluster = RabbitMqCluster.start(3)) {
 *   ConnectionFactory factory = new ConnectionFactory();
 *   factory.setUsername(cluster.username());
 *   factory.setPassword(cluster.password());
 *   Connection connection = factory.newConnection(cluster.addresses()); // any node that answers
 *   ...
 *   cluster.node(0).stopNode();                           // its VM stops; the others carry on
 *   cluster.node(0).startNode();                          // same name, ports and data
 *   cluster.awaitRunningNodes(3, Duration.ofSeconds(60)); // and it is a member again
 * }
 * }</pre>
 *
 * <p><b>How it forms.</b> All nodes start at once (named {@code warren-<random>@localhost}, AMQP
 * and distribution on their own ports of 127.0.0.1), each seeded with the same user and password,
 * so each can be checked with a real AMQP login before it joins. Then every node but the first
 * runs {@code stop_app}, {@code join_cluster <first>}, {@code start_app}: joining resets the
 * joiner, which then shares the first node's users, queues and policies; the user therefore exists
 * once, cluster-wide. {@link #start(int)} returns when the first node's {@code cluster_status} lists
 * every node as running.
 *
 * <p><b>Time</b> (three nodes on this project's 2-core gVisor machine, other suites running):
 * starting the three at once took 21–28 s, about what one node alone takes on a busy machine; the
 * two joins 16–20 s together (each is three rabbitmqctl calls and a restart of the rabbit
 * application); {@link #start(int)} printed 37–45 s in all (it prints one {@code [figure]} line).
 * {@link #close()} took 4–23 s. {@link RabbitMqBroker#stopNode()} took 3.6–7.4 s,
 * {@link RabbitMqBroker#killNode()} under 0.1 s, and {@link RabbitMqBroker#startNode()} 7.8–17 s,
 * the node being a running member again 1.1–2.5 s later.
 *
 * <p><b>Leftovers.</b> Nodes are stopped by {@link #close()}, else by each node's shutdown hook, else
 * (a killed JVM) by {@code .ci/run}, which finds {@code beam.smp} processes whose environment has
 * {@code RABBITMQ_NODENAME=warren-*}: a restarted node keeps that environment.
 *
 * <p>Thread-safe; {@link #close()} is idempotent. Node indexes are 0-based: {@code node(0)} is the
 * node the others joined.
 */
public final class RabbitMqCluster implements AutoCloseable {
  private static final Duration NODE_START_TIMEOUT = Duration.ofSeconds(180);
  private static final Duration FORM_TIMEOUT = Duration.ofSeconds(120);
  private static final Pattern RUNNING_NODES = Pattern.compile("\"running_nodes\"\\s*:\\s*\\[([^\\]]*)\\]");
  private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");

  private final List<RabbitMqBroker> nodes;
  private final AtomicBoolean closed = new AtomicBoolean();

  private RabbitMqCluster(List<RabbitMqBroker> nodes) {
    this.nodes = List.copyOf(nodes);
  }

  /**
   * Starts {@code size} nodes, clusters them and returns once all are running members.
   *
   * @throws IllegalArgumentException if {@code size} is not at least 1
   * @throws IllegalStateException if a node does not start or join in time (every node started so
   *     far is stopped and its directory deleted)
   */
  public static RabbitMqCluster start(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("size must be at least 1: " + size);
    }
    long begin = System.nanoTime();
    RabbitMqCluster cluster = new RabbitMqCluster(startNodes(size,
        RabbitMqBroker.randomAlphanumeric(32), RabbitMqBroker.randomAlphanumeric(24)));
    long started = System.nanoTime();
    try {
      cluster.join();
      cluster.awaitRunningNodes(size, FORM_TIMEOUT);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
    long formed = System.nanoTime();
    System.out.printf("[figure] RabbitMqCluster: %d nodes started in %.1f s (in parallel), joined in %.1f s, "
        + "formed in %.1f s%n", size, seconds(started - begin), seconds(formed - started), seconds(formed - begin));
    return cluster;
  }

  /** The number of nodes. */
  public int size() {
    return nodes.size();
  }

  /**
   * Node {@code index} (0-based), for {@link RabbitMqBroker#stopNode()},
   * {@link RabbitMqBroker#killNode()}, {@link RabbitMqBroker#startNode()}, its name and port. Do not
   * {@linkplain RabbitMqBroker#close() close} it: {@link #close()} does.
   */
  public RabbitMqBroker node(int index) {
    return nodes.get(index);
  }

  /** {@code amqp://127.0.0.1:PORT} of each node, in node order, without credentials or path. */
  public List<URI> uris() {
    return nodes.stream().map(RabbitMqBroker::uri).toList();
  }

  /** The AMQP address of each node, in node order, for {@code ConnectionFactory.newConnection(List)}. */
  public List<Address> addresses() {
    return nodes.stream().map(node -> new Address(node.uri().getHost(), node.port())).toList();
  }

  /** The administrator user, the same on every node. */
  public String username() {
    return nodes.get(0).username();
  }

  /** Its password, random per cluster. Keep it out of logs. */
  public String password() {
    return nodes.get(0).password();
  }

  /**
   * Runs {@code rabbitmqctl -n NODE args...} against node {@code node} (0-based); see
   * {@link RabbitMqBroker#rabbitmqctl(String...)}. Against a stopped node it fails (exit code 69).
   */
  public ExecResult rabbitmqctl(int node, String... args) {
    return nodes.get(node).rabbitmqctl(args);
  }

  /**
   * The names of the nodes that the first node answering {@code cluster_status} sees running.
   *
   * @throws IllegalStateException if no node answers
   */
  public List<String> runningNodes() {
    ExecResult status = onAnyNode("cluster_status", "--formatter", "json");
    Matcher running = RUNNING_NODES.matcher(status.stdout());
    if (!running.find()) {
      throw new IllegalStateException("no running_nodes in cluster_status: " + status);
    }
    return QUOTED.matcher(running.group(1)).results().map(match -> match.group(1)).toList();
  }

  /**
   * Waits until {@link #runningNodes()} has {@code count} nodes; e.g. after
   * {@link RabbitMqBroker#startNode()}, until the node is a running member again.
   *
   * @throws IllegalStateException if it does not happen within {@code timeout}
   */
  public void awaitRunningNodes(int count, Duration timeout) {
    requireNonNull(timeout, "timeout == null");
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> running = List.of();
    while (System.nanoTime() < deadline) {
      try {
        running = runningNodes();
        if (running.size() == count) {
          return;
        }
      } catch (IllegalStateException e) {
        // A node stopping or joining may not answer; the next call asks again.
      }
      try {
        // Short: each rabbitmqctl call already boots an Erlang VM (1–2 s here).
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + count + " running nodes", e);
      }
    }
    throw new IllegalStateException(
        "not " + count + " running nodes within " + timeout + "; last seen running: " + running);
  }

  /**
   * The names of the default virtual host's queues, as the first node that answers lists them.
   *
   * @throws IllegalStateException if no node answers
   */
  public List<String> queueNames() {
    String out = onAnyNode("list_queues", "--quiet", "--no-table-headers", "name").stdout();
    return out.lines().filter(line -> !line.isBlank()).toList();
  }

  /**
   * Stops every node (in parallel; a few seconds) and deletes their directories. Idempotent.
   */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      inParallel(nodes.size(), i -> {
        nodes.get(i).close();
        return null;
      }, none -> { });
    }
  }

  @Override
  public String toString() {
    return "RabbitMqCluster" + nodes;
  }

  private ExecResult onAnyNode(String... args) {
    ExecResult last = null;
    for (RabbitMqBroker node : nodes) {
      try {
        last = node.rabbitmqctl(args);
        if (last.succeeded()) {
          return last;
        }
      } catch (IllegalStateException e) {
        // Closed or not answering: ask the next node.
      }
    }
    throw new IllegalStateException("no node answered rabbitmqctl " + Arrays.toString(args) + "; last: " + last);
  }

  /** Every node but the first joins the first, one at a time: concurrent joins can conflict. */
  private void join() {
    String seed = nodes.get(0).nodeName();
    for (RabbitMqBroker node : nodes.subList(1, nodes.size())) {
      for (List<String> step : List.of(List.of("stop_app"), List.of("join_cluster", seed), List.of("start_app"))) {
        ExecResult result = node.rabbitmqctl(step.toArray(String[]::new));
        if (!result.succeeded()) {
          throw new IllegalStateException(node.nodeName() + " could not join " + seed + " (" + step + "): " + result);
        }
      }
    }
  }

  private static List<RabbitMqBroker> startNodes(int size, String cookie, String password) {
    // In parallel: most of a start is Erlang loading code, and one node alone leaves a core idle.
    return inParallel(size, i -> RabbitMqBroker.builder()
        .erlangCookie(cookie)
        .password(password)
        .startTimeout(NODE_START_TIMEOUT)
        .start(), RabbitMqBroker::close);
  }

  private interface IndexedTask<T> {
    T run(int index);
  }

  /**
   * Runs {@code task(0..count-1)} on {@code count} threads and returns the results in order. If any
   * fails, the results that did come are given to {@code undo}, and the first failure is thrown.
   */
  private static <T> List<T> inParallel(int count, IndexedTask<T> task, Consumer<T> undo) {
    ExecutorService pool = Executors.newFixedThreadPool(count);
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int index = i;
        futures.add(pool.submit(() -> task.run(index)));
      }
      List<T> results = new ArrayList<>();
      RuntimeException failure = null;
      for (Future<T> future : futures) {
        try {
          results.add(future.get());
        } catch (ExecutionException e) {
          RuntimeException cause = e.getCause() instanceof RuntimeException runtime
              ? runtime : new IllegalStateException(e.getCause());
          if (failure == null) {
            failure = cause;
          } else {
            failure.addSuppressed(cause);
          }
        }
      }
      if (failure != null) {
        results.forEach(undo);
        throw failure;
      }
      return results;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pool.shutdownNow(); // the nodes' shutdown hooks stop whatever did start
      throw new IllegalStateException("interrupted", e);
    } finally {
      pool.shutdown();
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
