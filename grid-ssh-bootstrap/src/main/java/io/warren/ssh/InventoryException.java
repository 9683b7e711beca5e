package io.warren.ssh;

/**
 * A host inventory that cannot be used: unreadable, not YAML, an unknown key, a value of the wrong
 * kind. The message names the file and the entry, e.g. {@code hosts.yaml: hosts[1].port: expected
 * an integer, was "ssh"}.
 */
public final class InventoryException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InventoryException(String message) {
    super(message);
  }

  public InventoryException(String message, Throwable cause) {
    super(message, cause);
  }
}
