package org.loralab.ext;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class EngineThreadsTest {

    @Test
    void defaultsToOneThread() {
        Properties props = new Properties();
        assertEquals("1", EngineThreads.configure(Map.of(), props));
        assertEquals("1", props.getProperty(EngineThreads.PROPERTY));
    }

    @Test
    void keepsTheUsersProperty() {
        Properties props = new Properties();
        props.setProperty(EngineThreads.PROPERTY, "4");
        assertEquals("4", EngineThreads.configure(Map.of(EngineThreads.ENV, "2"), props));
        assertEquals("4", props.getProperty(EngineThreads.PROPERTY));
    }

    @Test
    void environmentChoosesTheCount() {
        Properties props = new Properties();
        assertEquals("3", EngineThreads.configure(Map.of(EngineThreads.ENV, " 3 "), props));
        assertEquals("3", props.getProperty(EngineThreads.PROPERTY));
    }

    @Test
    void badEnvironmentValueFallsBackToOne() {
        for (String bad : new String[] {"0", "-2", "many"}) {
            Properties props = new Properties();
            assertEquals("1", EngineThreads.configure(Map.of(EngineThreads.ENV, bad), props), bad);
        }
    }
}
