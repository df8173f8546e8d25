package io.proclens.webhook;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Base64;

/**
 * Reads an admission.k8s.io/v1 AdmissionReview and answers it. Only a request we cannot answer at all (not JSON,
 * not an AdmissionReview v1, no uid) is refused, as a {@link BadRequest}; every other problem, ours or the pod's,
 * is answered {@code allowed: true} without a patch and with a warning: the webhook never stops a pod on its own.
 */
public final class AdmissionReviews {
    static final String API_VERSION = "admission.k8s.io/v1";
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** A body that is no AdmissionReview v1: HTTP 400. */
    public static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message);
        }
    }

    /**
     * @param review  the AdmissionReview to send back
     * @param log     one line for the log: which pod, what was done and why
     * @param warning true when the answer carries a warning (our own error or an unexpected request)
     */
    public record Answer(ObjectNode review, String log, boolean warning) {
        public byte[] bytes() {
            try {
                return MAPPER.writeValueAsBytes(review);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e); // a tree of our own always serializes
            }
        }
    }

    private AdmissionReviews() {
    }

    public static Answer answer(byte[] body, boolean namespaceOptedIn, PodPatcher patcher) throws BadRequest {
        JsonNode review;
        try {
            review = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new BadRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new BadRequest("unreadable body: " + e.getMessage());
        }
        if (review == null || !review.isObject()) throw new BadRequest("the body is not a JSON object");
        if (!API_VERSION.equals(review.path("apiVersion").asText()) || !"AdmissionReview".equals(review.path("kind").asText())) {
            throw new BadRequest("expected apiVersion " + API_VERSION + ", kind AdmissionReview; got "
                    + review.path("apiVersion").asText("(none)") + ", " + review.path("kind").asText("(none)"));
        }
        JsonNode request = review.get("request");
        if (request == null || !request.isObject()) throw new BadRequest("the AdmissionReview has no request");
        JsonNode uid = request.get("uid");
        if (uid == null || !uid.isTextual() || uid.asText().isEmpty()) throw new BadRequest("the request has no uid");

        ObjectNode response = MAPPER.createObjectNode().put("uid", uid.asText()).put("allowed", true);
        ObjectNode answer = MAPPER.createObjectNode().put("apiVersion", API_VERSION).put("kind", "AdmissionReview");
        answer.set("response", response);
        String who = describe(request);

        JsonNode resource = request.path("resource");
        boolean pods = "".equals(resource.path("group").asText("")) && "pods".equals(resource.path("resource").asText())
                && request.path("subResource").asText("").isEmpty();
        if (!pods) {
            String why = "proclens webhook: not a pod (" + resource.path("group").asText("") + "/"
                    + resource.path("resource").asText("?") + "): nothing injected; check the webhook's rules";
            response.putArray("warnings").add(why);
            return new Answer(answer, who + ": " + why, true);
        }
        // Volumes of a running pod cannot change: only a new pod can be given mounts.
        if (!"CREATE".equals(request.path("operation").asText())) {
            return new Answer(answer, who + ": " + request.path("operation").asText("?") + ", nothing to do", false);
        }
        try {
            PodPatcher.Result result = patcher.patch(request.get("object"), namespaceOptedIn);
            if (!result.patch().isEmpty()) {
                response.put("patchType", "JSONPatch");
                response.put("patch", Base64.getEncoder().encodeToString(MAPPER.writeValueAsBytes(result.patch())));
            }
            return new Answer(answer, who + ": " + result.reason(), false);
        } catch (PodPatcher.PodShapeException | RuntimeException | JsonProcessingException e) {
            String why = "proclens webhook: no /proc files injected: " + e.getMessage();
            response.putArray("warnings").add(why);
            return new Answer(answer, who + ": " + why + (e instanceof RuntimeException ? " (" + e + ")" : ""), true);
        }
    }

    /** namespace/name of the pod; a pod made by a controller has only a generateName yet. */
    private static String describe(JsonNode request) {
        String namespace = request.path("namespace").asText(request.path("object").path("metadata").path("namespace").asText("?"));
        JsonNode metadata = request.path("object").path("metadata");
        String name = request.path("name").asText("");
        if (name.isEmpty()) name = metadata.path("name").asText("");
        if (name.isEmpty()) name = metadata.path("generateName").asText("?") + "*";
        return namespace + "/" + name;
    }

}
