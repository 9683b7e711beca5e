package io.warren.ssh;

import java.time.Duration;

/**
 * What shipping did on one host.
 *
 * @param host the host's name
 * @param files how many files the shipment has
 * @param filesCopied how many had to be copied (missing or different on the host)
 * @param bytesCopied the bytes those files moved: 0 when nothing changed
 * @param sharedWith the host that filled the shared work dir when this host shares it, else null
 * @param took how long it took
 */
public record ShipReport(String host, int files, int filesCopied, long bytesCopied, String sharedWith, Duration took) {}
