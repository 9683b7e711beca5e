package io.warren.ssh;

import com.jcraft.jsch.ChannelSftp;
import com.jcraft.jsch.SftpException;
import io.warren.ssh.HostFailure.Reason;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Copies files to one host, only those whose content hash differs there. The host hashes what it
 * has ({@code sha256sum}, in one command for all files), so unchanged files move no bytes, whatever
 * happened to the host since the last shipment. Each file is written beside its target, under a
 * temporary name of its own, and renamed over it, so a worker never reads a half-copied jar.
 */
final class FileShipper {
  private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);
  /**
   * How long an upload may move no bytes before it fails: far beyond any pause of a working link
   * (a 32 KB write), well short of leaving a provisioning waiting for ever on a hung host.
   */
  static final Duration STALL_LIMIT = Duration.ofSeconds(60);
  /** Each upload writes to a file of this prefix and a random name beside its target, then renames it. */
  private static final String PARTIAL_PREFIX = ".warren-part-";
  /** Partial files older than this (minutes) belong to no live upload: ten times the stall limit. */
  private static final int PARTIAL_FILE_AGE_MINUTES = 10;
  private static final int EXIT_NO_DIR = 90;
  private static final int EXIT_NOT_WRITABLE = 91;

  private FileShipper() {}

  /** Ships {@code files} into the connected host's work dir (their remote paths are relative to it). */
  static ShipReport ship(SshConnection connection, List<ShipFile> files, ShipProgress progress) throws HostException {
    return ship(connection, files, progress, STALL_LIMIT);
  }

  /** As {@link #ship(SshConnection, List, ShipProgress)}, failing an upload that moves nothing for {@code stallLimit}. */
  static ShipReport ship(SshConnection connection, List<ShipFile> files, ShipProgress progress, Duration stallLimit)
      throws HostException {
    long started = System.nanoTime();
    HostSpec spec = connection.spec();
    String dir = RemotePaths.workDir(spec);
    Map<String, String> remoteHashes = remoteHashes(connection, dir, files);
    List<ShipFile> changed = new ArrayList<>();
    for (ShipFile file : files) {
      if (!file.sha256().equals(remoteHashes.get(file.remotePath()))) {
        changed.add(file);
      }
    }
    long total = changed.stream().mapToLong(ShipFile::size).sum();
    if (!changed.isEmpty()) {
      makeDirectories(connection, dir, changed);
      upload(connection, dir, changed, total, progress, stallLimit);
    }
    progress.progress(spec.name(), total, total);
    return new ShipReport(spec.name(), files.size(), changed.size(), total, null, Duration.ofNanos(System.nanoTime() - started));
  }

  /**
   * The hashes of the files the host already has, by remote path. Also checks the dir is writable,
   * and removes partial files no upload has written to for {@link #PARTIAL_FILE_AGE_MINUTES}: those of
   * uploads that failed without removing them (a stall, a lost session). A live upload writes to its
   * partial file at least once per {@link #STALL_LIMIT}, or fails.
   */
  private static Map<String, String> remoteHashes(SshConnection connection, String dir, List<ShipFile> files)
      throws HostException {
    String q = ShellQuote.quote(dir);
    // The file list comes on stdin, NUL-separated: no command-line length limit, no quoting issues.
    String command = "mkdir -p -- " + q + " || exit " + EXIT_NO_DIR + "; cd -- " + q + " || exit " + EXIT_NO_DIR
        + "; [ -w . ] || exit " + EXIT_NOT_WRITABLE
        + "; find . -name '" + PARTIAL_PREFIX + "*' -type f -mmin +" + PARTIAL_FILE_AGE_MINUTES + " -exec rm -f -- {} + 2>/dev/null"
        + "; xargs -0 -r sha256sum -- 2>/dev/null; exit 0";
    RemoteResult result = connection.exec(command, nulSeparated(files.stream().map(ShipFile::remotePath).toList()), COMMAND_TIMEOUT);
    if (result.exitCode() == EXIT_NO_DIR || result.exitCode() == EXIT_NOT_WRITABLE) {
      throw new HostException(new HostFailure(connection.spec().name(), Reason.WORK_DIR_NOT_WRITABLE,
          "cannot write to " + dir + ": " + result.diagnostics(), ""));
    }
    if (!result.ok()) {
      throw new HostException(new HostFailure(connection.spec().name(), Reason.SHIP_FAILED,
          "cannot hash the files in " + dir + ": " + result.diagnostics(), ""));
    }
    Map<String, String> hashes = new HashMap<>();
    for (String line : result.stdout().split("\n")) {
      // "<64 hex>  <path>"; GNU sha256sum marks a line whose path it escaped with a leading '\'
      boolean escaped = line.startsWith("\\");
      String entry = escaped ? line.substring(1) : line;
      if (entry.length() > 66 && entry.charAt(64) == ' ') {
        hashes.put(escaped ? unescapeSha256sum(entry.substring(66)) : entry.substring(66), entry.substring(0, 64));
      }
    }
    return hashes;
  }

  /** A path as GNU sha256sum printed it escaped: "\\" for a backslash, "\n" and "\r" for line breaks. */
  private static String unescapeSha256sum(String path) {
    StringBuilder out = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '\\' && i + 1 < path.length()) {
        char next = path.charAt(++i);
        out.append(next == 'n' ? '\n' : next == 'r' ? '\r' : next);
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * A path as JSch's ChannelSftp takes it: it reads remote paths as glob patterns ('*', '?') and
   * drops each backslash that escapes nothing, so all three get a backslash to name the file as it is.
   */
  private static String sftpPath(String path) {
    return path.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?");
  }

  private static void makeDirectories(SshConnection connection, String dir, List<ShipFile> files) throws HostException {
    TreeSet<String> parents = new TreeSet<>();
    for (ShipFile file : files) {
      int slash = file.remotePath().lastIndexOf('/');
      if (slash > 0) {
        parents.add(file.remotePath().substring(0, slash));
      }
    }
    if (parents.isEmpty()) {
      return;
    }
    RemoteResult result = connection.exec("cd -- " + ShellQuote.quote(dir) + " && xargs -0 -r mkdir -p --",
        nulSeparated(parents), COMMAND_TIMEOUT);
    if (!result.ok()) {
      throw new HostException(new HostFailure(connection.spec().name(), Reason.WORK_DIR_NOT_WRITABLE,
          "cannot create directories under " + dir + ": " + result.diagnostics(), ""));
    }
  }

  /** Paths as xargs -0 reads them from stdin: no command-line length limit, no quoting. */
  private static byte[] nulSeparated(java.util.Collection<String> paths) {
    ByteArrayOutputStream list = new ByteArrayOutputStream();
    for (String path : paths) {
      list.writeBytes(path.getBytes(StandardCharsets.UTF_8));
      list.write(0);
    }
    return list.toByteArray();
  }

  private static void upload(SshConnection connection, String dir, List<ShipFile> files, long total, ShipProgress progress,
      Duration stallLimit) throws HostException {
    String host = connection.spec().name();
    AtomicLong done = new AtomicLong();
    try (StallGuard guard = new StallGuard(stallLimit)) {
      ChannelSftp sftp;
      try {
        sftp = connection.sftp(guard);
      } catch (HostException e) {
        throw guard.tripped() ? stalled(host, "the SFTP handshake", stallLimit, e) : e;
      }
      try {
        for (ShipFile file : files) {
          String target = dir + "/" + file.remotePath();
          int slash = target.lastIndexOf('/');
          // A name of its own per upload: two provisionings of one dir at once never write into one file.
          String partial = target.substring(0, slash + 1) + PARTIAL_PREFIX + UUID.randomUUID();
          try (InputStream in = new Counting(Files.newInputStream(file.source()), n -> {
            guard.progress();
            progress.progress(host, done.addAndGet(n), total);
          })) {
            sftp.put(in, sftpPath(partial), ChannelSftp.OVERWRITE);
            guard.progress();
            // posix-rename@openssh.com: replaces the old file atomically
            sftp.rename(sftpPath(partial), sftpPath(target));
            guard.progress();
          } catch (SftpException | IOException e) {
            if (guard.tripped()) {
              // The channel is gone: the partial file stays behind until a later shipment's clean-up.
              throw stalled(host, "copying " + file.source() + " to " + target, stallLimit, e);
            }
            removeQuietly(sftp, partial);
            throw new HostException(new HostFailure(host, Reason.SHIP_FAILED,
                "cannot copy " + file.source() + " to " + target + ": " + e.getMessage(), ""), e);
          }
        }
      } finally {
        sftp.disconnect();
      }
    }
  }

  private static HostException stalled(String host, String what, Duration limit, Exception cause) {
    return new HostException(new HostFailure(host, Reason.SHIP_FAILED, what + " moved nothing for "
        + limit.toMillis() + " ms: the host's SFTP server stopped answering (a hung disk or a stuck sftp-server?)", ""), cause);
  }

  /** Removes a failed upload's partial file, if the session still can. */
  private static void removeQuietly(ChannelSftp sftp, String partial) {
    try {
      sftp.rm(sftpPath(partial));
    } catch (SftpException e) {
      // never written, or the session is gone: the copy's own error is the one to report
    }
  }

  /** Reports every chunk read, for the progress display. */
  private static final class Counting extends FilterInputStream {
    private final java.util.function.LongConsumer onRead;

    Counting(InputStream in, java.util.function.LongConsumer onRead) {
      super(in);
      this.onRead = onRead;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        onRead.accept(n);
      }
      return n;
    }
  }
}
