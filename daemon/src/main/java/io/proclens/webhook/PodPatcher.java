package io.proclens.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proclens.fs.VirtualFile;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a pod gets proclens' mounts and builds the RFC 6902 JSONPatch that adds them: one hostPath
 * volume (type File) per file and a read-only mount of it over the same path in /proc or /sys in every container
 * and init container, plus the mount directory itself with HostToContainer propagation. Pure: a pod in, a patch
 * out.
 *
 * <p>Idempotent per path: a container that already mounts something at a path keeps it (whoever put it there),
 * and a volume of ours that the pod already has is not added again, so a second pass adds nothing. The API server
 * calls us again when a later webhook added containers (reinvocationPolicy IfNeeded): those get the mounts then.
 */
public final class PodPatcher {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final List<String> CONTAINER_LISTS = List.of("initContainers", "containers");

    /** A pod whose JSON is not what Kubernetes sends (no spec, containers not a list, ...). */
    public static final class PodShapeException extends Exception {
        PodShapeException(String message) {
            super(message);
        }
    }

    /**
     * @param patch  the operations, empty when nothing is to be added
     * @param reason why, in words, for the log
     */
    public record Result(ArrayNode patch, String reason) {
    }

    private final Injection injection;

    public PodPatcher(Injection injection) {
        this.injection = injection;
    }

    /**
     * @param pod               the pod as in AdmissionReview.request.object
     * @param namespaceOptedIn  true when called for a namespace labelled for injection: then a pod is injected
     *                          unless its annotation says "false"; otherwise only when it says "true"
     */
    public Result patch(JsonNode pod, boolean namespaceOptedIn) throws PodShapeException {
        if (pod == null || !pod.isObject()) throw new PodShapeException("the object is not a JSON object");
        JsonNode annotation = pod.path("metadata").path("annotations").path(Injection.ANNOTATION);
        String optIn = annotation.isTextual() ? annotation.asText().trim() : null;
        if ("false".equalsIgnoreCase(optIn)) return skip("opted out by annotation " + Injection.ANNOTATION);
        if (!"true".equalsIgnoreCase(optIn) && !namespaceOptedIn) return skip("not opted in");
        JsonNode spec = pod.get("spec");
        if (spec == null || !spec.isObject()) throw new PodShapeException("the pod has no spec");
        // Windows nodes have neither /proc nor FUSE.
        if ("windows".equalsIgnoreCase(spec.path("os").path("name").asText())) return skip("a Windows pod");

        Set<String> existingVolumes = names(spec, "volumes");
        Map<String, ObjectNode> neededVolumes = new LinkedHashMap<>();
        ArrayNode ops = JSON.arrayNode();
        int containers = 0;
        int mounts = 0;
        for (String list : CONTAINER_LISTS) {
            JsonNode items = spec.get(list);
            if (items == null || items.isNull()) continue;
            if (!items.isArray()) throw new PodShapeException("spec." + list + " is not a list");
            for (int i = 0; i < items.size(); i++) {
                JsonNode container = items.get(i);
                if (!container.isObject()) throw new PodShapeException("spec." + list + "[" + i + "] is not an object");
                List<ObjectNode> add = mountsFor(container, neededVolumes);
                if (add.isEmpty()) continue;
                containers++;
                mounts += add.size();
                String base = "/spec/" + list + "/" + i + "/volumeMounts";
                JsonNode present = container.get("volumeMounts");
                if (present == null || present.isNull()) {
                    ops.add(op("add", base, JSON.arrayNode().addAll(add)));
                } else if (present.isArray()) {
                    for (ObjectNode mount : add) ops.add(op("add", base + "/-", mount));
                } else {
                    throw new PodShapeException("spec." + list + "[" + i + "].volumeMounts is not a list");
                }
            }
        }
        List<ObjectNode> volumes = new ArrayList<>();
        neededVolumes.forEach((name, volume) -> {
            if (!existingVolumes.contains(name)) volumes.add(volume);
        });
        if (!volumes.isEmpty()) {
            JsonNode present = spec.get("volumes");
            ArrayNode volumeOps = JSON.arrayNode();
            if (present == null || present.isNull()) {
                volumeOps.add(op("add", "/spec/volumes", JSON.arrayNode().addAll(volumes)));
            } else {
                for (ObjectNode volume : volumes) volumeOps.add(op("add", "/spec/volumes/-", volume));
            }
            // Volumes first: the API server validates only the result, but a reader of the patch sees sources first.
            volumeOps.addAll(ops);
            ops = volumeOps;
        }
        if (ops.isEmpty()) return new Result(ops, "already has every mount");
        return new Result(ops, "adds " + volumes.size() + " volumes and " + mounts + " mounts in " + containers
                + " containers");
    }

    /** The mounts a container lacks; records the volumes they need. */
    private List<ObjectNode> mountsFor(JsonNode container, Map<String, ObjectNode> neededVolumes)
            throws PodShapeException {
        Set<String> taken = new HashSet<>();
        JsonNode present = container.get("volumeMounts");
        if (present != null && present.isArray()) {
            for (JsonNode mount : present) taken.add(normalize(mount.path("mountPath").asText("")));
        }
        List<ObjectNode> add = new ArrayList<>();
        for (VirtualFile file : injection.files()) {
            if (taken.contains(file.hostPath())) continue;
            String name = Injection.volumeName(file);
            neededVolumes.computeIfAbsent(name, n -> hostPath(n, injection.sourceOf(file), "File"));
            add.add(JSON.objectNode().put("name", name).put("mountPath", file.hostPath()).put("readOnly", true));
        }
        if (!taken.contains(injection.podDir())) {
            neededVolumes.computeIfAbsent(Injection.DIR_VOLUME, n -> hostPath(n, injection.hostDir(), "Directory"));
            add.add(JSON.objectNode().put("name", Injection.DIR_VOLUME).put("mountPath", injection.podDir())
                    .put("readOnly", true).put("mountPropagation", "HostToContainer"));
        }
        return add;
    }

    private static Set<String> names(JsonNode spec, String list) throws PodShapeException {
        Set<String> names = new HashSet<>();
        JsonNode items = spec.get(list);
        if (items == null || items.isNull()) return names;
        if (!items.isArray()) throw new PodShapeException("spec." + list + " is not a list");
        for (JsonNode item : items) names.add(item.path("name").asText(""));
        return names;
    }

    private static ObjectNode hostPath(String name, String path, String type) {
        ObjectNode volume = JSON.objectNode().put("name", name);
        volume.putObject("hostPath").put("path", path).put("type", type);
        return volume;
    }

    private static ObjectNode op(String op, String path, JsonNode value) {
        ObjectNode node = JSON.objectNode().put("op", op).put("path", path);
        node.set("value", value);
        return node;
    }

    private static String normalize(String path) {
        String p = path.replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static Result skip(String reason) {
        return new Result(JSON.arrayNode(), reason);
    }
}
