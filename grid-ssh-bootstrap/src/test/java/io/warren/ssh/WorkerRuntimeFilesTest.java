package io.warren.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the farm ships as the worker runtime is enough to run a worker: nothing comes from elsewhere. */
class WorkerRuntimeFilesTest {
  @Test
  void theShippedRuntimeAloneLoadsTheWorkerAndBothCodecs() throws Exception {
    List<Path> locations = WorkerRuntimeFiles.locations();
    URL[] urls = new URL[locations.size()];
    for (int i = 0; i < urls.length; i++) {
      urls[i] = locations.get(i).toUri().toURL();
    }
    // Only the shipped entries, over the JDK's own classes: as on a remote host.
    try (URLClassLoader remote = new URLClassLoader(urls, ClassLoader.getPlatformClassLoader())) {
      for (String name : List.of(WorkerRuntimeFiles.MAIN_CLASS, "io.warren.worker.Worker",
          "io.warren.amqp.Connections", "io.warren.amqp.Messages")) {
        Class.forName(name, true, remote);
      }
      // Initialising the codec builds its JSON and CBOR mappers, loading every Jackson artifact they use.
      Class<?> codec = Class.forName("io.warren.grid.spi.Codec", true, remote);
      for (String format : List.of("json", "cbor")) {
        Object mapper = codec.getMethod("mapper").invoke(codec.getMethod(format).invoke(null));
        Object bytes = mapper.getClass().getMethod("writeValueAsBytes", Object.class).invoke(mapper, List.of(1, 2));
        assertEquals(List.of(1, 2), mapper.getClass().getMethod("readValue", byte[].class, Class.class)
            .invoke(mapper, bytes, List.class), format + " round trip in the shipped runtime");
      }
    }
  }
}
