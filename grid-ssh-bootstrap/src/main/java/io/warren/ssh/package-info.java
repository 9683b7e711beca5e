/**
 * SSH provisioning of worker hosts with JSch (com.github.mwiede): host inventory, file shipping,
 * start and stop of worker runtimes over SSH. Not implemented yet: until it is, grids run workers
 * started by {@code io.warren.worker.LocalWorkers} or started by hand with {@code WorkerMain}.
 */
package io.warren.ssh;
