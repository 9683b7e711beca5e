package io.warren.cli.demo;

import java.util.SplittableRandom;

/**
 * Metropolis sampling of an L x L Ising lattice with periodic boundaries. The published state is
 * the lattice size, the temperature and the seed; each instance builds its own lattice and random
 * stream from them (mixed with a per-instance draw, so instances do not sample in lock step).
 */
public final class IsingSampler implements Sampler {
  private int size;
  private double temperature;
  private long seed;
  private transient int[] spins;
  private transient SplittableRandom random;

  /** For the codec: instances are built from the published state. */
  IsingSampler() {}

  public IsingSampler(int size, double temperature, long seed) {
    if (size < 2) {
      throw new IllegalArgumentException("size must be >= 2, was " + size);
    }
    this.size = size;
    this.temperature = temperature;
    this.seed = seed;
  }

  @Override
  public void setTemperature(double temperature) {
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be positive, was " + temperature);
    }
    this.temperature = temperature;
  }

  @Override
  public Stats sample(double temperature, int sweeps) {
    setTemperature(temperature);
    return run(sweeps);
  }

  @Override
  public Stats run(int sweeps) {
    if (sweeps < 1) {
      throw new IllegalArgumentException("sweeps must be >= 1, was " + sweeps);
    }
    long started = System.nanoTime();
    ensureLattice();
    int n = size * size;
    // Acceptance probabilities for the only two uphill energy changes, dE = 4 and 8.
    double accept4 = Math.exp(-4 / temperature);
    double accept8 = Math.exp(-8 / temperature);
    long accepted = 0;
    double energySum = 0;
    double magnetizationSum = 0;
    for (int sweep = 0; sweep < sweeps; sweep++) {
      for (int step = 0; step < n; step++) {
        int site = random.nextInt(n);
        int x = site % size;
        int y = site / size;
        int neighbours = spins[y * size + (x + 1) % size] + spins[y * size + (x + size - 1) % size]
            + spins[((y + 1) % size) * size + x] + spins[((y + size - 1) % size) * size + x];
        int deltaE = 2 * spins[site] * neighbours;
        if (deltaE <= 0 || random.nextDouble() < (deltaE == 4 ? accept4 : accept8)) {
          spins[site] = -spins[site];
          accepted++;
        }
      }
      energySum += energy() / n;
      magnetizationSum += Math.abs(magnetization()) / n;
    }
    return new Stats(temperature, sweeps, energySum / sweeps, magnetizationSum / sweeps,
        accepted / (double) ((long) sweeps * n), ProcessHandle.current().pid(),
        (System.nanoTime() - started) / 1_000_000);
  }

  private void ensureLattice() {
    if (spins == null) {
      random = new SplittableRandom(seed ^ new SplittableRandom().nextLong());
      spins = new int[size * size];
      java.util.Arrays.fill(spins, 1); // start ordered: equilibrates quickly below T_c
    }
  }

  private double energy() {
    double e = 0;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        int s = spins[y * size + x];
        e -= s * (spins[y * size + (x + 1) % size] + spins[((y + 1) % size) * size + x]);
      }
    }
    return e;
  }

  private double magnetization() {
    long m = 0;
    for (int s : spins) {
      m += s;
    }
    return m;
  }
}
