package io.warren.farm;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Packs the test application ({@code io.warren.farm.app}, compiled into the test classes) into a jar
 * the farm ships: the remote workers load the services from it, not from this JVM's class path.
 */
final class AppJar {
  private static final String PACKAGE = "io/warren/farm/app";

  private AppJar() {}

  /** Writes the jar to {@code target}, with entries in a fixed order and time so equal code gives equal bytes. */
  static Path build(Path target) throws IOException {
    Path classes = Path.of(AppJar.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    List<Path> files;
    try (Stream<Path> walk = Files.walk(classes.resolve(PACKAGE))) {
      files = walk.filter(Files::isRegularFile).sorted().toList();
    }
    if (files.isEmpty()) {
      throw new IllegalStateException("no compiled classes under " + classes.resolve(PACKAGE));
    }
    Files.createDirectories(target.getParent());
    try (OutputStream out = Files.newOutputStream(target); JarOutputStream jar = new JarOutputStream(out)) {
      for (Path file : files) {
        JarEntry entry = new JarEntry(classes.relativize(file).toString().replace('\\', '/'));
        entry.setTime(0);
        jar.putNextEntry(entry);
        jar.write(Files.readAllBytes(file));
        jar.closeEntry();
      }
    }
    return target;
  }
}
