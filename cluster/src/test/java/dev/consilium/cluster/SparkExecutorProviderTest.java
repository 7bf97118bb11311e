package dev.consilium.cluster;

import dev.consilium.cluster.spark.SparkExecutorProvider;
import dev.consilium.runtime.seam.ExecutorOptions;
import org.apache.spark.SparkConf;
import org.apache.spark.util.Utils;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * {@code consilium run --executor spark}'s configuration, without starting Spark: off loopback it is always
 * authenticated and encrypted, a standalone master without a shared secret is refused, and what a user passes with
 * {@code --conf} under an API key's name is blanked wherever Spark shows its configuration.
 */
class SparkExecutorProviderTest {

    private static SparkConf conf(String master, Map<String, String> settings, String secret) {
        return SparkExecutorProvider.conf(new ExecutorOptions("spark", master, settings), secret);
    }

    @Test
    void offLoopbackTheClusterIsAuthenticatedAndEncrypted() {
        for (String master : new String[]{"spark://head:7077", "k8s://https://api:6443", "yarn"}) {
            SparkConf c = conf(master, Map.of(), "s3cret-shared");
            assertEquals("true", c.get("spark.authenticate"), master);
            assertEquals("true", c.get("spark.network.crypto.enabled"), master);
            assertEquals("true", c.get("spark.io.encryption.enabled"), master);
        }
        assertEquals("s3cret-shared", conf("spark://head:7077", Map.of(), "s3cret-shared").get("spark.authenticate.secret"));
        assertFalse(conf("yarn", Map.of(), "s3cret-shared").contains("spark.authenticate.secret"), "YARN makes its own");
        assertFalse(conf("local[2]", Map.of(), null).contains("spark.authenticate"), "loopback needs none");
    }

    @Test
    void aStandaloneMasterWithoutASharedSecretIsRefusedNamingWhatToExport() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conf("spark://head:7077", Map.of(), null));
        assertTrue(e.getMessage().contains("SPARK_AUTHENTICATE_SECRET"), e.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> conf(null, Map.of(), null));
        assertTrue(none.getMessage().contains("--master"), none.getMessage());
    }

    @Test
    void aKeyPassedWithConfIsBlankedWhereSparkShowsItsConfiguration() {
        SparkConf c = conf("spark://head:7077", Map.of("spark.executorEnv.OPENAI_API_KEY", JudgeFixture.KEY,
                "spark.executor.memory", "4g"), "s3cret-shared");
        String shown = Utils.redact(c, scala.jdk.javaapi.CollectionConverters.asScala(java.util.List.of(c.getAll())).toSeq()).toString();
        assertFalse(shown.contains(JudgeFixture.KEY), shown);
        assertFalse(shown.contains("s3cret-shared"), shown);
        assertTrue(shown.contains("4g"), shown);
    }
}
