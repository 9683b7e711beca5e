package io.warren.ssh;

import io.warren.grid.ErrorCode;
import io.warren.grid.GridException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Too few hosts of a farm came up. Names every host that failed and why, with the tail of the
 * remote log where a worker was started.
 */
public final class FarmProvisioningException extends GridException {
  private static final long serialVersionUID = 1L;
  private final transient List<HostFailure> failures;

  public FarmProvisioningException(int needed, int up, List<HostFailure> failures) {
    super(ErrorCode.UNAVAILABLE, message(needed, up, failures), null);
    this.failures = List.copyOf(failures);
  }

  /** Each failed host, in inventory order. */
  public List<HostFailure> failures() {
    return failures;
  }

  private static String message(int needed, int up, List<HostFailure> failures) {
    return "the farm needs " + needed + " host(s) but " + up + " came up; failed:\n  "
        + failures.stream().map(HostFailure::describe).collect(Collectors.joining("\n  "));
  }
}
