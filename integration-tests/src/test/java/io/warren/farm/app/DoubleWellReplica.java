package io.warren.farm.app;

import java.util.SplittableRandom;
import java.util.UUID;

/** A walker on V(x) = (x² − 1)²: two wells at ±1 that only high temperatures cross often. */
public final class DoubleWellReplica implements Replica {
  /** Not part of the published state: every instance draws its own. */
  private final transient String token = UUID.randomUUID().toString();
  private transient SplittableRandom random;
  private long seed;
  private double temperature = 1.0;
  private double x = -1.0;
  private long sweeps;

  public DoubleWellReplica() {}

  public DoubleWellReplica(long seed) {
    this.seed = seed;
  }

  @Override
  public void setTemperature(double temperature) {
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, was " + temperature);
    }
    this.temperature = temperature;
  }

  @Override
  public Sample sweep(int steps) {
    if (random == null) {
      random = new SplittableRandom(seed ^ token.hashCode()); // instances must not walk in lockstep
    }
    for (int i = 0; i < steps; i++) {
      double proposal = x + (random.nextDouble() - 0.5);
      double delta = energy(proposal) - energy(x);
      if (delta <= 0 || random.nextDouble() < Math.exp(-delta / temperature)) {
        x = proposal;
      }
    }
    sweeps++;
    return new Sample(energy(x), token, sweeps, hostName());
  }

  static double energy(double x) {
    double w = x * x - 1;
    return w * w;
  }

  /** The test sets this per host in the inventory's env (host networking shares one host name). */
  private static String hostName() {
    return System.getenv().getOrDefault("WARREN_TEST_HOST", "?");
  }
}
