package io.warren.farm.app;

/**
 * One replica of a replica-exchange (parallel tempering) run: a Metropolis walker on a double-well
 * potential at a temperature the driver may swap. Shipped to the SSH hosts in an application jar.
 */
public interface Replica {

  /** Sets the temperature this replica samples at. */
  void setTemperature(double temperature);

  /** Runs {@code steps} Metropolis steps; returns the state after them. */
  Sample sweep(int steps);

  /**
   * What a sweep left behind.
   *
   * @param energy the potential energy of the current position
   * @param instanceToken identifies the service object that ran the sweep (stickiness check)
   * @param sweeps how many sweeps this object has run (one instance, counted in call order)
   * @param host the inventory name of the host the object lives on
   */
  record Sample(double energy, String instanceToken, long sweeps, String host) {}
}
