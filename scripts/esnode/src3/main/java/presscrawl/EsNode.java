package presscrawl;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.concurrent.CountDownLatch;

import org.opensearch.Version;
import org.opensearch.analysis.common.CommonAnalysisModulePlugin;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.plugins.Plugin;
import org.opensearch.plugins.PluginInfo;
import org.opensearch.transport.Netty4ModulePlugin;
import java.util.stream.Collectors;

/**
 * One OpenSearch node in this JVM, for presscrawl's tests: HTTP on 127.0.0.1,
 * single-node discovery, the common analysis plugin (arabic, english).
 * Arguments: HOME_DIR HTTP_PORT. Stops on SIGTERM.
 * OpenSearch 3's variant: its modules' classes were renamed (Netty4ModulePlugin,
 * CommonAnalysisModulePlugin) and a node takes classpath plugins as PluginInfo.
 */
public final class EsNode extends Node {
    private EsNode(Environment env, Collection<Class<? extends Plugin>> plugins) {
        super(env, plugins.stream()
            .map(p -> new PluginInfo(p.getName(), "classpath plugin", "NA", Version.CURRENT, "21", p.getName(), null,
                Collections.emptyList(), false))
            .collect(Collectors.toList()), true);
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: EsNode HOME_DIR HTTP_PORT");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));
        Files.createDirectories(home.resolve("config"));
        Settings settings = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("http.port", args[1])
            .put("transport.port", "0")
            .put("network.host", "127.0.0.1")
            .put("discovery.type", "single-node")
            .put("cluster.name", "presscrawl-test")
            .put("node.name", "node-1")
            .put("cluster.routing.allocation.disk.threshold_enabled", false)
            .put("action.auto_create_index", true)
            .build();
        Environment env = InternalSettingsPreparer.prepareEnvironment(settings, Collections.emptyMap(), null, () -> "node-1");
        Collection<Class<? extends Plugin>> plugins = Arrays.asList(Netty4ModulePlugin.class, CommonAnalysisModulePlugin.class);
        EsNode node = new EsNode(env, plugins);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                node.close();
            } catch (Exception e) {
                System.err.println("esnode: close: " + e);
            }
            stopped.countDown();
        }));
        node.start();
        System.out.println("esnode: started on 127.0.0.1:" + args[1]);
        stopped.await();
    }
}
