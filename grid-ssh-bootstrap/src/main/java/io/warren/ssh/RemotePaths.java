package io.warren.ssh;

/** Where things live under a host's work dir. Paths are relative to the login home unless absolute. */
final class RemotePaths {
  static final String APP = "app";
  static final String RUNTIME = "runtime";
  static final String RUN = "run";
  static final String LOGS = "logs";

  private RemotePaths() {}

  /** The host's work dir as the remote shell and SFTP should see it ("~/x" becomes "x": both start at home). */
  static String workDir(HostSpec spec) {
    String dir = spec.workDir();
    if (dir.equals("~")) {
      return ".";
    }
    return dir.startsWith("~/") ? dir.substring(2) : dir;
  }

  static String under(HostSpec spec, String first, String... more) {
    StringBuilder path = new StringBuilder(workDir(spec)).append('/').append(first);
    for (String part : more) {
      path.append('/').append(part);
    }
    return path.toString();
  }
}
