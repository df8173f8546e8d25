package io.proclens.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.flipkart.zjsonpatch.JsonPatch;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Pods as JSON for the webhook tests, and the checks the API server would make of a patched pod. */
final class Pods {
    static final ObjectMapper JSON = new ObjectMapper();

    private Pods() {
    }

    /** A pod from JSON with single quotes, for readable fixtures. */
    static ObjectNode pod(String json) {
        try {
            return (ObjectNode) JSON.readTree(json.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    /** Applies a JSONPatch the way the API server does (RFC 6902), with an independent implementation. */
    static JsonNode apply(JsonNode patch, JsonNode pod) {
        return JsonPatch.apply(patch, pod);
    }

    /** The mountPath -> volume name of a container. */
    static java.util.Map<String, String> mounts(JsonNode container) {
        java.util.Map<String, String> mounts = new java.util.LinkedHashMap<>();
        for (JsonNode m : container.path("volumeMounts")) mounts.put(m.path("mountPath").asText(), m.path("name").asText());
        return mounts;
    }

    /**
     * What the API server's validation would refuse: two volumes of one name, two mounts at one path in a
     * container, a mount of a volume that does not exist, a volume name that is not a DNS-1123 label.
     */
    static void assertValid(JsonNode pod) {
        Set<String> volumes = new HashSet<>();
        for (JsonNode v : pod.path("spec").path("volumes")) {
            String name = v.path("name").asText();
            assertTrue(volumes.add(name), "volume " + name + " twice");
            assertTrue(name.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"), "not a DNS-1123 label: " + name);
        }
        for (String list : new String[]{"initContainers", "containers"}) {
            for (JsonNode c : pod.path("spec").path(list)) {
                Set<String> paths = new HashSet<>();
                for (JsonNode m : c.path("volumeMounts")) {
                    String path = m.path("mountPath").asText();
                    if (!paths.add(path)) fail(c.path("name").asText() + " mounts " + path + " twice");
                    if (!volumes.contains(m.path("name").asText())) fail("no volume " + m.path("name").asText());
                }
            }
        }
    }

    /** Every container and init container has proclens' mount at each of the paths, from our volume. */
    static void assertInjected(JsonNode pod, Injection injection) {
        for (String list : new String[]{"initContainers", "containers"}) {
            for (JsonNode c : pod.path("spec").path(list)) {
                var mounts = mounts(c);
                for (var file : injection.files()) {
                    assertTrue(mounts.containsKey(file.hostPath()), c.path("name") + " lacks " + file.hostPath());
                }
                assertTrue(mounts.containsKey(injection.podDir()), c.path("name") + " lacks " + injection.podDir());
            }
        }
        for (JsonNode v : pod.path("spec").path("volumes")) {
            String name = v.path("name").asText();
            if (name.equals(Injection.DIR_VOLUME)) {
                assertEquals(injection.hostDir(), v.path("hostPath").path("path").asText());
                assertEquals("Directory", v.path("hostPath").path("type").asText());
            } else if (name.startsWith(Injection.VOLUME_PREFIX)) {
                assertTrue(v.path("hostPath").path("path").asText().startsWith(injection.hostDir() + "/"), v.toString());
                assertEquals("File", v.path("hostPath").path("type").asText());
            }
        }
    }
}
