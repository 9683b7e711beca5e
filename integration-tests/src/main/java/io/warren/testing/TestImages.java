package io.warren.testing;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.testcontainers.DockerClientFactory;

/**
 * The locally built Docker images the container helpers run, checked to be present.
 *
 * <pre>{@code
 * new GenericContainer<>(DockerImageName.parse(TestImages.sshHost()));
 * }</pre>
 *
 * <p>No image registry is reachable from the test machines, so {@code scripts/build-test-images.sh}
 * builds the images with debootstrap and {@code docker import} ({@code scripts/install-test-deps.sh}
 * runs it, and starts the Docker engine). Their tags end with the first 12 hex digits of the build
 * script's SHA-256; this class computes the same digest from the same file (found by walking up
 * from the working directory), so a test never runs on an image of another recipe and no tag file
 * has to be kept anywhere.
 *
 * <p><b>Failure.</b> When Docker does not answer, the script cannot be found or an image is
 * missing, the accessors throw {@link IllegalStateException} saying to run
 * {@code scripts/install-test-deps.sh}: tests fail, they never skip. Thread-safe.
 */
public final class TestImages {
  /** The script that installs Docker, starts its engine and builds the images. */
  public static final String INSTALL_SCRIPT = "scripts/install-test-deps.sh";
  /** The image recipe; its digest is in every tag. */
  public static final String BUILD_SCRIPT = "scripts/build-test-images.sh";

  private static String hash; // guarded by TestImages.class

  private TestImages() {}

  /**
   * {@code warren-test/ssh-host:<hash>}: Debian bookworm with sshd, a JRE 17 and the login user
   * {@code warren} (uid 1000, home {@code /home/warren}, no keys, no host keys).
   *
   * @throws IllegalStateException if Docker does not answer or the image is missing
   */
  public static String sshHost() {
    return require("warren-test/ssh-host");
  }

  /**
   * {@code warren-test/rabbitmq:<hash>}: Debian bookworm with Debian's {@code rabbitmq-server}.
   *
   * @throws IllegalStateException if Docker does not answer or the image is missing
   */
  public static String rabbitMq() {
    return require("warren-test/rabbitmq");
  }

  private static String require(String repository) {
    String tag = repository + ":" + hash();
    DockerClient client = docker();
    try {
      client.inspectImageCmd(tag).exec();
      return tag;
    } catch (NotFoundException e) {
      throw new IllegalStateException("Docker image " + tag + " is missing: run `bash " + INSTALL_SCRIPT
          + "` as root (it runs " + BUILD_SCRIPT + "; the tag's suffix is that script's digest, so a"
          + " changed script needs a new build)", e);
    }
  }

  /** The Docker client of Testcontainers, or a failure saying how to get an engine. */
  static DockerClient docker() {
    try {
      return DockerClientFactory.instance().client();
    } catch (RuntimeException e) {
      throw new IllegalStateException("Docker is not reachable: run `bash " + INSTALL_SCRIPT
          + "` as root (it installs Debian's docker.io, starts dockerd and builds the test images; "
          + "dockerd's log is /var/log/warren-dockerd.log)", e);
    }
  }

  private static synchronized String hash() {
    if (hash == null) {
      Path script = findBuildScript();
      try {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(script));
        hash = HexFormat.of().formatHex(digest).substring(0, 12);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + script, e);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every Java platform has SHA-256", e);
      }
    }
    return hash;
  }

  /** The build script of this checkout: Maven runs the suites in the module's directory. */
  private static Path findBuildScript() {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path script = dir.resolve(BUILD_SCRIPT);
      if (Files.isRegularFile(script)) {
        return script;
      }
    }
    throw new IllegalStateException("no " + BUILD_SCRIPT + " in " + start + " or any directory above it:"
        + " the image tags are derived from it, so the tests must run inside the project's checkout");
  }
}
