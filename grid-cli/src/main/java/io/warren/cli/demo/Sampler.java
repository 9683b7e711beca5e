package io.warren.cli.demo;

/**
 * A Monte Carlo sampler of the two-dimensional Ising model: the demo's service interface. Each
 * instance owns its lattice, so a leased instance keeps its equilibrated state between calls.
 */
public interface Sampler {

  /** Sets the temperature (in units of J/k) used by the next sweeps. */
  void setTemperature(double temperature);

  /** Runs {@code sweeps} Metropolis sweeps (one attempted flip per spin each) and reports averages. */
  Stats run(int sweeps);

  /** Sets the temperature, then runs: one stateless call per point of a temperature scan. */
  Stats sample(double temperature, int sweeps);
}
