package io.warren.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.warren.ssh.HostFailure.Reason;
import io.warren.testing.PrivateSshd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host whose SFTP server stops answering while its sshd lives on (a hung disk, a stuck
 * sftp-server): the shipment fails with an error naming the stall instead of waiting for ever.
 * The SFTP server here is a real one behind a shell pipe the test controls, on a private sshd.
 */
// Its own thread: before the guard, both shipments hung in reads no interrupt ends (checked for 10 min).
@Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SftpStallIT {
  private static final Duration STALL_LIMIT = Duration.ofSeconds(2);
  private static final String SFTP_SERVER = "/usr/lib/openssh/sftp-server";

  @TempDir Path dir;

  @Test
  void anSftpServerThatStopsReadingMidUploadFailsTheShipment() throws Exception {
    // The first 25 reads (at most 100 KB: the handshake and the upload's start) reach the server;
    // then its input is held open and never read again, so the client's writes fill the pipe and
    // the channel's window, and its reads wait for acks. (dd passes each read on at once, where
    // head -c would wait for all of its bytes.)
    assertStalls("{ dd bs=4096 count=25 2>/dev/null; sleep 600; } | " + SFTP_SERVER, "copying ");
  }

  @Test
  void anSftpServerThatNeverAnswersItsHandshakeFailsTheShipment() throws Exception {
    assertStalls("exec sleep 600", "the SFTP handshake");
  }

  private void assertStalls(String sftpServer, String during) throws Exception {
    assertTrue(Files.isExecutable(Path.of(SFTP_SERVER)), SFTP_SERVER + " missing: install openssh-sftp-server");
    Path script = Files.writeString(dir.resolve("sftp.sh"), sftpServer + "\n");
    try (PrivateSshd sshd = PrivateSshd.startWithSftpSubsystem("/bin/sh " + script)) {
      HostSpec spec = sshd.hostSpec().workDir(dir.resolve("work").toString()).build();
      List<ShipFile> files = Shipment.ofFiles(List.of(FileShipperIT.randomFile(dir.resolve("app.bin"), 1))).resolve();
      try (SshConnection connection = SshConnection.open(spec, null)) {
        HostException e = assertThrows(HostException.class,
            () -> FileShipper.ship(connection, files, ShipProgress.NONE, STALL_LIMIT));
        assertEquals(Reason.SHIP_FAILED, e.failure().reason());
        assertTrue(e.getMessage().contains(during) && e.getMessage().contains("moved nothing for 2000 ms"), e.getMessage());
        assertTrue(connection.exec("true", new byte[0], Duration.ofSeconds(30)).ok(), "the session itself still works");
      }
    }
  }
}
