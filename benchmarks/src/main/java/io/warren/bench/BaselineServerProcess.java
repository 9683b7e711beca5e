package io.warren.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts and drives a {@link BaselineServer} JVM with this JVM's class path. */
final class BaselineServerProcess implements AutoCloseable {
  private final Process process;
  private final Writer commands;
  private final BufferedReader answers;

  BaselineServerProcess(URI broker, String username, String password, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.addAll(ServerJvm.OPTIONS); // the same options as Warren's workers
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), BaselineServer.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
    builder.environment().put("BENCH_URI", broker.toString());
    builder.environment().put("BENCH_USER", username);
    builder.environment().put("BENCH_PASS", password);
    process = builder.start();
    commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  long pid() {
    return process.pid();
  }

  /** Raw amqp-client consumers on {@code queue} (declared by the server). */
  void serveRaw(String queue, int prefetch, int consumers) throws IOException {
    command("serve raw " + queue + " " + prefetch + " " + consumers, "ready");
  }

  /** Raw consumers that reply in Warren's message shape ({@link MessageShape}), on a durable {@code queue}. */
  void serveRawShaped(String queue, int prefetch, int consumers) throws IOException {
    command("serve raw-shaped " + queue + " " + prefetch + " " + consumers, "ready");
  }

  /** A Spring AMQP listener container on {@code queue} (declared by the server). */
  void serveSpring(String queue, int prefetch, int consumers) throws IOException {
    command("serve spring " + queue + " " + prefetch + " " + consumers, "ready");
  }

  void stop(String queue) throws IOException {
    command("stop " + queue, "stopped");
  }

  private void command(String line, String expected) throws IOException {
    commands.write(line + "\n");
    commands.flush();
    String answer = answers.readLine();
    if (!expected.equals(answer)) {
      throw new IOException("raw server answered '" + answer + "' to '" + line + "' (see its log)");
    }
  }

  @Override
  public void close() throws InterruptedException {
    try {
      commands.close(); // EOF: the server closes its connection and exits
    } catch (IOException e) {
      // already gone
    }
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
    }
  }
}
