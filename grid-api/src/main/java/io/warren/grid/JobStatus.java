package io.warren.grid;

/**
 * Where a {@link Job} stands (the Func seed's per-host status): {@code RUNNING} until the first
 * item ends, {@code PARTIAL} while some have ended, then {@code FINISHED} if every item succeeded
 * or {@code FAILED} if any failed.
 */
public enum JobStatus {
  RUNNING,
  PARTIAL,
  FINISHED,
  FAILED;

  /** True for {@code FINISHED} and {@code FAILED}. */
  public boolean isDone() {
    return this == FINISHED || this == FAILED;
  }
}
