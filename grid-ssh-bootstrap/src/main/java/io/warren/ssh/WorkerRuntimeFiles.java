package io.warren.ssh;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the worker runtime on this JVM's class path: the jars (or class directories, when running
 * from a build tree) that hold the worker's main class and everything it loads. These are shipped
 * to every host beside the application, so hosts need nothing but a JRE.
 */
final class WorkerRuntimeFiles {
  static final String MAIN_CLASS = "io.warren.worker.WorkerMain";

  /** One class from each artifact the worker needs at run time (the worker-runtime dependency tree). */
  private static final List<String> REQUIRED = List.of(
      MAIN_CLASS,                                       // io.warren:worker-runtime
      "io.warren.grid.Grid",                            // io.warren:grid-api
      "io.warren.amqp.Protocol",                        // io.warren:grid-amqp
      "com.rabbitmq.client.ConnectionFactory",          // com.rabbitmq:amqp-client
      "tools.jackson.databind.ObjectMapper",            // tools.jackson.core:jackson-databind
      "tools.jackson.core.JsonParser",                  // tools.jackson.core:jackson-core
      "tools.jackson.dataformat.cbor.CBORFactory",      // tools.jackson.dataformat:jackson-dataformat-cbor
      "com.fasterxml.jackson.annotation.JsonCreator",   // com.fasterxml.jackson.core:jackson-annotations
      "org.slf4j.LoggerFactory");                       // org.slf4j:slf4j-api
  /** Present in a normal set-up; without it the worker logs nothing, which is allowed. */
  private static final List<String> OPTIONAL = List.of("org.slf4j.simple.SimpleLogger");

  private WorkerRuntimeFiles() {}

  /**
   * The runtime as a shipment: jars by name at the top, class directories under {@code classes-N/}.
   *
   * @throws IllegalStateException naming the missing artifact if the worker runtime is not on the class path
   */
  static Runtime locate() {
    return of(locations());
  }

  /**
   * Where this JVM loads the worker runtime from: one jar or class directory per artifact.
   * {@code WorkerRuntimeFilesTest} loads the worker from these alone, so an artifact missing from
   * {@link #REQUIRED} fails there rather than on a remote host.
   */
  static List<Path> locations() {
    Set<Path> locations = new LinkedHashSet<>();
    for (String name : REQUIRED) {
      Path location = locationOf(name);
      if (location == null) {
        throw new IllegalStateException("the worker runtime is not on the class path (" + name
            + " not found): add io.warren:worker-runtime to the client's dependencies, or set the farm's runtime files");
      }
      locations.add(location);
    }
    for (String name : OPTIONAL) {
      Path location = locationOf(name);
      if (location != null) {
        locations.add(location);
      }
    }
    return List.copyOf(locations);
  }

  /** A runtime made of these jars and class directories. */
  static Runtime of(List<Path> locations) {
    Shipment.Builder shipment = Shipment.builder();
    List<String> classPath = new java.util.ArrayList<>();
    int directories = 0;
    for (Path location : locations) {
      if (Files.isDirectory(location)) {
        String remote = "classes-" + (++directories);
        shipment.directoryAs(remote, location);
        classPath.add(remote);
      } else {
        shipment.file(location);
        classPath.add(location.getFileName().toString());
      }
    }
    return new Runtime(shipment.build(), classPath);
  }

  private static Path locationOf(String className) {
    try {
      Class<?> type = Class.forName(className, false, WorkerRuntimeFiles.class.getClassLoader());
      CodeSource source = type.getProtectionDomain().getCodeSource();
      return source == null ? null : Path.of(source.getLocation().toURI());
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    } catch (URISyntaxException e) {
      throw new IllegalStateException("odd class path location for " + className, e);
    }
  }

  /**
   * The runtime's files and its class-path entries, relative to the remote runtime directory.
   *
   * @param files what to ship
   * @param classPath the entries, in class-path order
   */
  record Runtime(Shipment files, List<String> classPath) {}
}
