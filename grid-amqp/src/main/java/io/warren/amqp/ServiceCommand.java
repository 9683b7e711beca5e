package io.warren.amqp;

/**
 * Control message naming a service, and for {@code release-now} an instance and a lease.
 *
 * @param service the service id
 * @param instance the instance number, or -1
 * @param lease the lease id, or null
 */
public record ServiceCommand(String service, int instance, String lease) {}
