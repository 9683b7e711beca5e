package io.warren.cli.demo;

/**
 * Averages over one run of Metropolis sweeps.
 *
 * @param temperature the temperature sampled at
 * @param sweeps how many sweeps were averaged
 * @param energyPerSpin mean energy per spin (-2 is the ordered ground state)
 * @param magnetization mean absolute magnetization per spin (1 ordered, 0 disordered)
 * @param acceptance the fraction of proposed flips accepted
 * @param workerPid the process id of the worker JVM that ran it
 * @param millis how long the run took on the worker
 */
public record Stats(
    double temperature, int sweeps, double energyPerSpin, double magnetization, double acceptance, long workerPid, long millis) {}
