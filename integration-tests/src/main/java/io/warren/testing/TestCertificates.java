package io.warren.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A throw-away certificate authority and a server certificate for {@code localhost} and {@code
 * 127.0.0.1}, made with openssl, plus a JKS trust store holding the CA for Java clients. The trust
 * store has no password: Java reads certificates from a JKS store without one, so no secret needs
 * to go on a worker's command line.
 *
 * <pre>{@code
 * TestCertificates certs = TestCertificates.create(dir);
 * RabbitMqBroker.builder().config(certs.rabbitTlsConfig(port)).start();
 * }</pre>
 *
 * @param caCertificate the CA certificate (PEM)
 * @param serverCertificate the server certificate (PEM), signed by the CA
 * @param serverKey the server's private key (PEM, unencrypted)
 * @param trustStore a JKS store with the CA certificate
 */
public record TestCertificates(Path caCertificate, Path serverCertificate, Path serverKey, Path trustStore) {
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);

  /** Makes the CA, the server certificate and the trust store in {@code directory}. */
  public static TestCertificates create(Path directory) throws IOException {
    requireNonNull(directory, "directory == null");
    Files.createDirectories(directory);
    Path ca = directory.resolve("ca.pem");
    Path caKey = directory.resolve("ca.key");
    Path csr = directory.resolve("server.csr");
    Path cert = directory.resolve("server.pem");
    Path key = directory.resolve("server.key");
    Path extensions = directory.resolve("server.ext");
    Path trust = directory.resolve("trust.jks");
    Files.writeString(extensions, "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
    run(directory, "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", caKey.toString(),
        "-out", ca.toString(), "-days", "2", "-subj", "/CN=warren-test-ca");
    run(directory, "openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key.toString(),
        "-out", csr.toString(), "-subj", "/CN=localhost");
    run(directory, "openssl", "x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
        "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", extensions.toString());
    // keytool insists on a store password when writing; readers may omit it (no integrity check).
    run(directory, Path.of(System.getProperty("java.home"), "bin", "keytool").toString(), "-importcert", "-noprompt",
        "-alias", "warren-test-ca", "-file", ca.toString(), "-keystore", trust.toString(), "-storetype", "JKS",
        "-storepass", "warren-test");
    return new TestCertificates(ca, cert, key, trust);
  }

  /** {@code rabbitmq.conf} lines for a TLS listener on {@code port} of 127.0.0.1 with these files. */
  public List<String> rabbitTlsConfig(int port) {
    return List.of(
        "listeners.ssl.default = 127.0.0.1:" + port,
        "ssl_options.cacertfile = " + caCertificate,
        "ssl_options.certfile = " + serverCertificate,
        "ssl_options.keyfile = " + serverKey,
        "ssl_options.verify = verify_none",
        "ssl_options.fail_if_no_peer_cert = false");
  }

  private static void run(Path directory, String... command) {
    ExecResult result = Exec.run(List.of(command), Map.of(), directory, STEP_TIMEOUT);
    if (result.exitCode() != 0) {
      throw new IllegalStateException(command[0] + " failed (" + result.exitCode() + "): " + result.stderr()
          + " — install Debian's openssl and a JDK");
    }
  }
}
