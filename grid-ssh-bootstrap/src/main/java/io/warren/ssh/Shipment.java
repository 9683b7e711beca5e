package io.warren.ssh;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The local files a farm copies to its hosts: single files, and directory trees filtered by glob
 * patterns ({@code **} crosses directories) with their structure kept. Files are compared by content
 * hash on each host, so shipping unchanged files again moves no bytes.
 *
 * <pre>{@code
 * Shipment app = Shipment.builder()
 *     .file(Path.of("target/app.jar"))                                   // -> app.jar
 *     .directory(Path.of("data"), List.of("**\/*.csv"), List.of("**\/tmp/**"))   // -> data tree, csv only
 *     .build();
 * }</pre>
 */
public final class Shipment {
  private final List<Entry> entries;

  private Shipment(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** An empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** A shipment of these files, each placed at the top under its own name. */
  public static Shipment ofFiles(List<Path> files) {
    Builder builder = builder();
    files.forEach(builder::file);
    return builder.build();
  }

  /**
   * Scans the file system and hashes every file. Done once per provisioning, not once per host.
   *
   * @throws UncheckedIOException if a file or root cannot be read
   * @throws IllegalArgumentException if two entries put different files at the same remote path
   */
  public List<ShipFile> resolve() {
    Map<String, Path> byRemote = new TreeMap<>();
    for (Entry entry : entries) {
      entry.collect(byRemote);
    }
    List<ShipFile> files = new ArrayList<>();
    byRemote.forEach((remote, source) -> {
      try {
        files.add(new ShipFile(remote, source, Files.size(source), sha256(source)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
      }
    });
    return files;
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
    byte[] buffer = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A file or a filtered tree. */
  private record Entry(Path root, String prefix, boolean single, List<String> includes, List<String> excludes) {

    void collect(Map<String, Path> byRemote) {
      if (single) {
        if (!Files.isRegularFile(root)) {
          throw new UncheckedIOException(new IOException("not a file: " + root));
        }
        add(byRemote, prefix + root.getFileName().toString(), root);
        return;
      }
      if (!Files.isDirectory(root)) {
        throw new UncheckedIOException(new IOException("not a directory: " + root));
      }
      List<PathMatcher> include = matchers(includes);
      List<PathMatcher> exclude = matchers(excludes);
      try (Stream<Path> walk = Files.walk(root)) {
        walk.filter(Files::isRegularFile).forEach(file -> {
          Path relative = root.relativize(file);
          if (matches(include, relative) && !matches(exclude, relative)) {
            add(byRemote, prefix + relative.toString().replace(java.io.File.separatorChar, '/'), file);
          }
        });
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
      }
    }

    private static void add(Map<String, Path> byRemote, String remote, Path file) {
      Path earlier = byRemote.putIfAbsent(remote, file.toAbsolutePath().normalize());
      if (earlier != null && !earlier.equals(file.toAbsolutePath().normalize())) {
        throw new IllegalArgumentException("two files would be shipped as '" + remote + "': " + earlier + " and " + file);
      }
    }

    private static List<PathMatcher> matchers(List<String> globs) {
      List<PathMatcher> matchers = new ArrayList<>();
      for (String glob : globs) {
        matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob));
        // "**/x" should also match x at the top, as it does in Ant, Git and most build tools.
        if (glob.startsWith("**/")) {
          matchers.add(FileSystems.getDefault().getPathMatcher("glob:" + glob.substring(3)));
        }
      }
      return matchers;
    }

    private static boolean matches(List<PathMatcher> matchers, Path relative) {
      return matchers.stream().anyMatch(m -> m.matches(relative));
    }
  }

  /** Builds a {@link Shipment}. */
  public static final class Builder {
    private final List<Entry> entries = new ArrayList<>();

    private Builder() {}

    /** Ships {@code file} at the top of the remote directory, under its own name. */
    public Builder file(Path file) {
      entries.add(new Entry(requireNonNull(file, "file == null"), "", true, List.of(), List.of()));
      return this;
    }

    /** Ships every file under {@code root}, keeping the tree. */
    public Builder directory(Path root) {
      return directory(root, List.of("**"), List.of());
    }

    /**
     * Ships the files under {@code root} whose path relative to it matches one of {@code includes}
     * and none of {@code excludes} (glob syntax; {@code **} crosses directories), keeping the tree.
     */
    public Builder directory(Path root, List<String> includes, List<String> excludes) {
      requireNonNull(root, "root == null");
      if (includes.isEmpty()) {
        throw new IllegalArgumentException("includes must not be empty (use \"**\" for everything)");
      }
      entries.add(new Entry(root, "", false, List.copyOf(includes), List.copyOf(excludes)));
      return this;
    }

    /** Ships every file under {@code root} into the remote directory {@code remoteDir}, keeping the tree. */
    public Builder directoryAs(String remoteDir, Path root) {
      requireNonNull(remoteDir, "remoteDir == null");
      requireNonNull(root, "root == null");
      if (remoteDir.isEmpty() || remoteDir.startsWith("/") || remoteDir.endsWith("/")) {
        throw new IllegalArgumentException("remoteDir must be a relative path without a trailing '/': " + remoteDir);
      }
      entries.add(new Entry(root, remoteDir + "/", false, List.of("**"), List.of()));
      return this;
    }

    public Shipment build() {
      return new Shipment(entries);
    }
  }
}
