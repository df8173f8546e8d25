package io.proclens.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubernetes.client.openapi.models.V1DaemonSet;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1MutatingWebhookConfiguration;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.proclens.fs.VirtualFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * scripts/kubernetes rendered by `kubectl kustomize`, every object read by Kubernetes' generated models (client-java),
 * which refuse unknown fields and missing required ones, then the cross-references checked: the webhook's service,
 * port and paths, the daemon's mount directory in the webhook's arguments, the propagation modes, the exclusions.
 */
class KubernetesManifestsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<String, Class<?>> MODELS = Map.of(
            "v1/Namespace", V1Namespace.class,
            "v1/ServiceAccount", V1ServiceAccount.class,
            "v1/Service", V1Service.class,
            "apps/v1/DaemonSet", V1DaemonSet.class,
            "apps/v1/Deployment", V1Deployment.class,
            "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget.class,
            "admissionregistration.k8s.io/v1/MutatingWebhookConfiguration", V1MutatingWebhookConfiguration.class,
            "node.k8s.io/v1/RuntimeClass", io.kubernetes.client.openapi.models.V1RuntimeClass.class);

    private static final Map<String, JsonNode> objects = new HashMap<>();

    @BeforeAll
    static void render() throws Exception {
        Assumptions.assumeTrue(Host.hasCommand("kubectl"), "needs kubectl (Debian: apt-get install kubernetes-client)");
        Path dir = Path.of(System.getProperty("proclens.root", "..")).resolve("scripts/kubernetes").toAbsolutePath();
        Host.Result rendered = Host.run(List.of("kubectl", "kustomize", dir.toString()));
        assertEquals(0, rendered.status(), rendered.output());
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        for (Object doc : yaml.loadAll(rendered.output())) {
            if (doc == null) continue;
            JsonNode object = JSON.valueToTree(doc);
            String type = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
            Class<?> model = MODELS.get(type);
            assertNotNull(model, "no model for " + type + ": add it to MODELS");
            strict(model, JSON.writeValueAsString(object));
            String key = object.path("kind").asText() + "/" + object.at("/metadata/name").asText();
            assertTrue(objects.put(key, object) == null, key + " twice");
        }
    }

    /** X.fromJson validates the whole tree: an unknown or misspelled field anywhere is an error. */
    private static void strict(Class<?> model, String json) throws Exception {
        try {
            model.getMethod("fromJson", String.class).invoke(null, json);
        } catch (java.lang.reflect.InvocationTargetException e) {
            fail(model.getSimpleName() + " refuses the manifest: " + e.getCause().getMessage());
        }
    }

    private static JsonNode get(String key) {
        JsonNode o = objects.get(key);
        assertNotNull(o, key + " is not rendered; rendered: " + objects.keySet());
        return o;
    }

    @Test
    void theModelsAreStrict() throws Exception {
        String daemonSet = JSON.writeValueAsString(get("DaemonSet/proclens"))
                .replace("\"hostPID\":true", "\"hostPid\":true");
        assertThrows(Exception.class, () -> V1DaemonSet.fromJson(daemonSet), "a misspelled field passes: the check is not strict");
    }

    @Test
    void everyObjectIsRenderedInTheNamespace() {
        assertEquals(List.of("DaemonSet/proclens", "Deployment/proclens-webhook", "MutatingWebhookConfiguration/proclens",
                "Namespace/proclens", "PodDisruptionBudget/proclens-webhook", "RuntimeClass/proclens", "Service/proclens-webhook",
                "ServiceAccount/proclens-daemon", "ServiceAccount/proclens-webhook"), objects.keySet().stream().sorted().toList());
        objects.forEach((key, o) -> {
            boolean clusterScoped = key.startsWith("Namespace/") || key.startsWith("MutatingWebhookConfiguration/")
                    || key.startsWith("RuntimeClass/");
            // Debian's kubectl 1.20 (kustomize 2) also puts the namespace on cluster-scoped objects; the API ignores it.
            if (!clusterScoped) assertEquals("proclens", o.at("/metadata/namespace").asText(), key);
        });
        assertEquals("disabled", get("Namespace/proclens").at("/metadata/labels/proclens.io~1inject").asText());
    }

    @Test
    void theDaemonSet() {
        JsonNode spec = get("DaemonSet/proclens").at("/spec/template/spec");
        assertTrue(spec.path("hostPID").asBoolean());
        assertEquals("false", get("DaemonSet/proclens").at("/spec/template/metadata/annotations/proclens.io~1inject").asText());
        JsonNode c = spec.at("/containers/0");
        assertTrue(c.at("/securityContext/privileged").asBoolean());
        assertEquals("proclens:0.1.0", c.path("image").asText());
        assertTrue(words(c.path("args")).contains("/var/lib/proclens"));
        Map<String, JsonNode> mounts = byKey(c.path("volumeMounts"), "mountPath");
        Map<String, JsonNode> volumes = byKey(spec.path("volumes"), "name");
        JsonNode dir = mounts.get("/var/lib/proclens");
        assertEquals("Bidirectional", dir.path("mountPropagation").asText());
        assertEquals("/var/lib/proclens", volumes.get(dir.path("name").asText()).at("/hostPath/path").asText());
        assertEquals("CharDevice", volumes.get(mounts.get("/dev/fuse").path("name").asText()).at("/hostPath/type").asText());
        // The probes read a file the daemon serves, through the mount.
        for (String probe : List.of("livenessProbe", "startupProbe")) {
            List<String> command = words(c.at("/" + probe + "/exec/command"));
            String file = command.getLast();
            assertTrue(file.startsWith("/var/lib/proclens/"), probe + ": " + command);
            String below = file.substring("/var/lib/proclens/".length());
            assertTrue(Arrays.stream(VirtualFile.values()).anyMatch(f -> f.path().equals(below)), probe + " reads " + file);
            assertTrue(command.contains("timeout"), probe + " can hang on a hung daemon without a timeout");
        }
        assertTrue(c.at("/lifecycle/postStart/exec/command").toString().contains("proclens remount --mountpoint /var/lib/proclens"));
        String preStop = c.at("/lifecycle/preStop/exec/command").toString();
        assertTrue(preStop.contains("umount -l /var/lib/proclens"), preStop);
        assertFalse(preStop.matches(".*kill -TERM 1[^0-9].*"), "with hostPID, PID 1 is the node's init");
        assertTrue(c.at("/args").toString().contains("/run/proclens/proclens.pid") && preStop.contains("/run/proclens/proclens.pid"));
    }

    @Test
    void theWebhookItsServiceAndItsConfiguration() {
        JsonNode deployment = get("Deployment/proclens-webhook");
        JsonNode pod = deployment.at("/spec/template");
        JsonNode c = pod.at("/spec/containers/0");
        List<String> args = words(c.path("args"));
        assertEquals("webhook", args.getFirst());
        assertEquals(get("DaemonSet/proclens").at("/spec/template/spec/volumes").findValues("path").stream()
                .map(JsonNode::asText).filter(p -> p.equals("/var/lib/proclens")).findFirst().orElseThrow(), after(args, "--host-dir"));
        JsonNode port = c.at("/ports/0");
        assertEquals(Integer.parseInt(after(args, "--port")), port.path("containerPort").asInt());
        assertEquals("HTTPS", c.at("/readinessProbe/httpGet/scheme").asText());
        assertEquals("/readyz", c.at("/readinessProbe/httpGet/path").asText());
        assertEquals("/healthz", c.at("/livenessProbe/httpGet/path").asText());
        Map<String, JsonNode> mounts = byKey(c.path("volumeMounts"), "mountPath");
        String tlsVolume = mounts.get(Path.of(after(args, "--tls-cert")).getParent().toString()).path("name").asText();
        assertEquals("proclens-webhook-tls", byKey(pod.at("/spec/volumes"), "name").get(tlsVolume).at("/secret/secretName").asText());
        assertEquals("false", pod.at("/metadata/annotations/proclens.io~1inject").asText());

        JsonNode service = get("Service/proclens-webhook");
        service.at("/spec/selector").fields().forEachRemaining(e ->
                assertEquals(e.getValue().asText(), pod.at("/metadata/labels").path(e.getKey()).asText(), "selector " + e.getKey()));
        JsonNode servicePort = service.at("/spec/ports/0");
        assertEquals(port.path("name").asText(), servicePort.path("targetPort").asText());

        JsonNode config = get("MutatingWebhookConfiguration/proclens");
        List<String> paths = new ArrayList<>();
        for (JsonNode w : config.path("webhooks")) {
            JsonNode ref = w.at("/clientConfig/service");
            assertEquals("proclens-webhook", ref.path("name").asText());
            assertEquals(service.at("/metadata/namespace").asText(), ref.path("namespace").asText());
            assertEquals(servicePort.path("port").asInt(), ref.path("port").asInt());
            paths.add(ref.path("path").asText());
            assertEquals("Ignore", w.path("failurePolicy").asText(), "the webhook must never block pods");
            assertEquals("None", w.path("sideEffects").asText());
            assertEquals(List.of("v1"), words(w.path("admissionReviewVersions")));
            assertEquals(List.of("pods"), words(w.at("/rules/0/resources")));
            assertEquals(List.of("CREATE"), words(w.at("/rules/0/operations")));
            JsonNode excluded = null;
            for (JsonNode e : w.at("/namespaceSelector/matchExpressions")) {
                if (e.path("key").asText().equals("kubernetes.io/metadata.name")) excluded = e;
            }
            assertNotNull(excluded, w.path("name") + " does not exclude namespaces by name");
            assertEquals("NotIn", excluded.path("operator").asText());
            assertTrue(words(excluded.path("values")).containsAll(List.of("kube-system", "proclens")), excluded.toString());
        }
        assertEquals(List.of("/mutate", "/mutate-namespace"), paths.stream().sorted().toList());
    }

    private static List<String> words(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    private static String after(List<String> args, String flag) {
        int i = args.indexOf(flag);
        assertTrue(i >= 0 && i + 1 < args.size(), flag + " missing in " + args);
        return args.get(i + 1);
    }

    private static Map<String, JsonNode> byKey(JsonNode array, String field) {
        Map<String, JsonNode> out = new HashMap<>();
        array.forEach(n -> out.put(n.path(field).asText(), n));
        return out;
    }
}
