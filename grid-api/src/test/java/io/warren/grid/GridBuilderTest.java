package io.warren.grid;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What {@link Grid.Builder} refuses before any broker is involved. */
class GridBuilderTest {
  @Test
  void aMessageLimitBeyondWhatAnyBrokerAcceptsIsRefusedNamingTheLimit() {
    int mostABrokerTakes = 512 * 1024 * 1024;
    assertDoesNotThrow(() -> Grid.builder().maxMessageBytes(mostABrokerTakes));
    for (int bytes : new int[] {0, -1, mostABrokerTakes + 1, Integer.MAX_VALUE}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Grid.builder().maxMessageBytes(bytes));
      assertTrue(e.getMessage().contains("maxMessageBytes must be in 1.." + mostABrokerTakes)
          && e.getMessage().endsWith("was " + bytes), e.getMessage());
    }
  }
}
