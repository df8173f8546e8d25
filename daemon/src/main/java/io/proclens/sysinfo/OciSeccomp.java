package io.proclens.sysinfo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.Iterator;
import java.util.Optional;

/**
 * Turns an OCI bundle's seccomp filter into one that hands sysinfo(2) to us: sysinfo's action becomes
 * SCMP_ACT_NOTIFY and the filter's listenerPath our socket. Nothing else changes, and only a call the filter allowed
 * is handed over: a profile that denies sysinfo keeps denying it (we answer what the kernel would have, only with the
 * container's numbers, so the filter is never weaker than it was). A container without a filter (seccomp=unconfined)
 * is left alone.
 *
 * <p>For runtimes whose caller cannot pass a listenerPath: Docker 20.10 drops it from a profile (runc then says
 * "listenerPath is not set"), so `proclens-runc` edits config.json before runc reads it.
 */
public final class OciSeccomp {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String NOTIFY = "SCMP_ACT_NOTIFY";
    static final String ALLOW = "SCMP_ACT_ALLOW";
    static final String SYSINFO = "sysinfo";

    private OciSeccomp() {
    }

    /** Why a config was left as it was, or the edited config. */
    public record Edit(Optional<String> config, String reason) {
    }

    /** {@code config} (an OCI runtime config.json) with sysinfo handed to {@code socket}, or why not. */
    public static Edit handSysinfoTo(String config, String socket) throws IOException {
        JsonNode root = JSON.readTree(config);
        JsonNode seccomp = root.path("linux").path("seccomp");
        if (!(seccomp instanceof ObjectNode filter)) return new Edit(Optional.empty(), "no seccomp filter");
        if (filter.hasNonNull("listenerPath") && !filter.get("listenerPath").asText().equals(socket)) {
            return new Edit(Optional.empty(), "the filter has a listener already: " + filter.get("listenerPath").asText());
        }
        ArrayNode rules = filter.withArray("syscalls");
        if (!allowed(filter.path("defaultAction").asText(), rules)) {
            return new Edit(Optional.empty(), "the filter does not allow sysinfo");
        }
        for (Iterator<JsonNode> it = rules.elements(); it.hasNext(); ) {
            JsonNode rule = it.next();
            if (!(rule.path("names") instanceof ArrayNode names)) continue;
            for (int i = names.size() - 1; i >= 0; i--) {
                if (names.get(i).asText().equals(SYSINFO)) names.remove(i);
            }
            if (names.isEmpty()) it.remove(); // a rule of sysinfo's own
        }
        ObjectNode notify = rules.insertObject(0);
        notify.putArray("names").add(SYSINFO);
        notify.put("action", NOTIFY);
        filter.put("listenerPath", socket);
        filter.put("listenerMetadata", "proclens");
        return new Edit(Optional.of(JSON.writeValueAsString(root)), "sysinfo handed to " + socket);
    }

    /**
     * A seccomp profile (Docker's and Kubernetes' Localhost format: defaultAction, syscalls, ...) that is {@code
     * profile} with sysinfo handed to {@code socket}, or why not: the same edit as a bundle's filter gets.
     */
    public static Edit profileHandingSysinfoTo(String profile, String socket) throws IOException {
        JsonNode filter = JSON.readTree(profile);
        if (!(filter instanceof ObjectNode)) return new Edit(Optional.empty(), "not a seccomp profile (no JSON object)");
        ObjectNode config = JSON.createObjectNode();
        config.putObject("linux").set("seccomp", filter);
        Edit edit = handSysinfoTo(JSON.writeValueAsString(config), socket);
        if (edit.config().isEmpty()) return edit;
        JsonNode edited = JSON.readTree(edit.config().get()).path("linux").path("seccomp");
        return new Edit(Optional.of(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(edited)), edit.reason());
    }

    /**
     * Whether sysinfo is allowed without conditions: by a rule naming it with SCMP_ACT_ALLOW and no argument
     * conditions, or by the default action when no rule names it. Rules with conditions or for other
     * architectures leave it undecided here: then it is not touched.
     */
    static boolean allowed(String defaultAction, ArrayNode rules) {
        boolean named = false;
        for (JsonNode rule : rules) {
            boolean names = false;
            for (JsonNode name : rule.path("names")) names |= name.asText().equals(SYSINFO);
            if (!names) continue;
            named = true;
            boolean plain = rule.path("args").isEmpty() && rule.path("includes").isEmpty()
                    && rule.path("excludes").isEmpty();
            if (!plain || !rule.path("action").asText().equals(ALLOW)) return false;
        }
        return named || defaultAction.equals(ALLOW);
    }
}
