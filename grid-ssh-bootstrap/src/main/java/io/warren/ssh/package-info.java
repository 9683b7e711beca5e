/**
 * Provisioning of worker hosts over SSH (JSch): a hand-written {@link io.warren.ssh.HostInventory},
 * incremental file shipping by content hash ({@link io.warren.ssh.Shipment}), and
 * {@link io.warren.ssh.SshFarm}, the {@link io.warren.grid.spi.Provisioner} that starts and stops
 * worker runtimes on the hosts. Host keys are verified against known_hosts unless a host says
 * otherwise in so many words.
 */
package io.warren.ssh;
