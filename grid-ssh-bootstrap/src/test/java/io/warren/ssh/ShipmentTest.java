package io.warren.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShipmentTest {

  @Test
  void globsSelectFilesAcrossDirectoriesAndKeepTheTree(@TempDir Path root) throws Exception {
    write(root, "top.jar", "a");
    write(root, "lib/dep.jar", "b");
    write(root, "lib/deep/more.jar", "c");
    write(root, "lib/notes.txt", "d");
    write(root, "tmp/skip.jar", "e");
    List<ShipFile> files = Shipment.builder().directory(root, List.of("**/*.jar"), List.of("tmp/**")).build().resolve();
    assertEquals(List.of("lib/deep/more.jar", "lib/dep.jar", "top.jar"), files.stream().map(ShipFile::remotePath).toList());
  }

  @Test
  void singleFilesGoToTheTopAndCarryTheirHashAndSize(@TempDir Path root) throws Exception {
    Path jar = write(root, "build/app.jar", "hello");
    ShipFile file = Shipment.ofFiles(List.of(jar)).resolve().get(0);
    assertEquals("app.jar", file.remotePath());
    assertEquals(5, file.size());
    // sha256("hello")
    assertEquals("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", file.sha256());
  }

  @Test
  void directoryAsPutsATreeUnderAPrefix(@TempDir Path root) throws Exception {
    write(root, "io/warren/A.class", "x");
    assertEquals("classes-1/io/warren/A.class",
        Shipment.builder().directoryAs("classes-1", root).build().resolve().get(0).remotePath());
  }

  @Test
  void twoFilesAtOneRemotePathAreRefused(@TempDir Path root) throws Exception {
    Path a = write(root, "a/app.jar", "1");
    Path b = write(root, "b/app.jar", "2");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Shipment.ofFiles(List.of(a, b)).resolve());
    assertEquals(true, e.getMessage().contains("'app.jar'"), e.getMessage());
  }

  @Test
  void unsafeRemotePathsAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new ShipFile("../etc/passwd", Path.of("x"), 1, "00"));
    assertThrows(IllegalArgumentException.class, () -> new ShipFile("/abs", Path.of("x"), 1, "00"));
  }

  private static Path write(Path root, String relative, String content) throws Exception {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }
}
