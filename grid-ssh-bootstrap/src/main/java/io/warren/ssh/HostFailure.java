package io.warren.ssh;

import static java.util.Objects.requireNonNull;

/**
 * Why one host could not be used. The other hosts of a farm go on without it.
 *
 * @param host the host's name from the inventory
 * @param reason what kind of failure
 * @param detail what happened, in the words of the tool that saw it (never a secret)
 * @param logTail the last lines of the worker's remote log, or empty when no worker was started
 */
public record HostFailure(String host, Reason reason, String detail, String logTail) {

  public HostFailure {
    requireNonNull(host, "host == null");
    requireNonNull(reason, "reason == null");
    requireNonNull(detail, "detail == null");
    requireNonNull(logTail, "logTail == null");
  }

  /** The kinds of host failure, so callers and tests can tell them apart without parsing text. */
  public enum Reason {
    /** Nothing listens at the host's address and port, or the host does not answer in time. */
    UNREACHABLE,
    /** The host's key is not in known_hosts. */
    HOST_KEY_UNKNOWN,
    /** The host's key differs from the one in known_hosts: possibly a man in the middle. */
    HOST_KEY_CHANGED,
    /** The identity file cannot be read, or its passphrase is wrong. */
    IDENTITY_UNUSABLE,
    /** The host refused the login (wrong key or user). */
    AUTH_REFUSED,
    /** The login user's shell runs no commands ({@code nologin}, {@code false}). */
    LOGIN_SHELL_UNUSABLE,
    /** The java command was not found or did not run on the host. */
    JAVA_MISSING,
    /** The work directory cannot be created or written. */
    WORK_DIR_NOT_WRITABLE,
    /** Copying files to the host failed. */
    SHIP_FAILED,
    /** The worker process exited during start-up, or never announced itself on the broker. */
    START_FAILED,
    /** The SSH connection broke, or a remote command failed unexpectedly. */
    SSH_ERROR
  }

  /** One line (plus the log tail, if any) for an error message. */
  public String describe() {
    String line = host + ": " + reason.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ": " + detail;
    return logTail.isEmpty() ? line : line + "\n    remote log (last lines):\n    " + logTail.strip().replace("\n", "\n    ");
  }
}
