package io.warren.grid.spi;

import static java.util.Objects.requireNonNull;

import io.warren.grid.ServiceId;

/** Which instance (or instances) of a service may run a call. */
public sealed interface CallTarget {

  /** The service the call belongs to. */
  ServiceId service();

  /** Any free instance: the broker picks one (competing consumers). */
  record AnyInstance(ServiceId service) implements CallTarget {
    public AnyInstance {
      requireNonNull(service, "service == null");
    }
  }

  /** The instance held by {@code lease}; calls run in the order they were made. */
  record Leased(LeaseGrant lease) implements CallTarget {
    public Leased {
      requireNonNull(lease, "lease == null");
    }

    @Override
    public ServiceId service() {
      return lease.service();
    }
  }

  /** Instance number {@code number}, leased or not (used by broadcast and scatter). */
  record OneInstance(ServiceId service, int number) implements CallTarget {
    public OneInstance {
      requireNonNull(service, "service == null");
      if (number < 0) {
        throw new IllegalArgumentException("number < 0: " + number);
      }
    }
  }
}
