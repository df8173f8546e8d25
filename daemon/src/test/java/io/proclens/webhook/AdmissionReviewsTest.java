package io.proclens.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static io.proclens.webhook.Pods.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdmissionReviewsTest {
    private final PodPatcher patcher = new PodPatcher(Injection.of("/var/lib/proclens", "/var/lib/proclens", false));

    static String review(String operation, String resource, String object) {
        return ("{'apiVersion':'admission.k8s.io/v1','kind':'AdmissionReview','request':{'uid':'0df28fbd-5f5f-4e58-a2b4-b1a0b2c3d4e5',"
                + "'kind':{'group':'','version':'v1','kind':'Pod'},'resource':{'group':'','version':'v1','resource':'" + resource + "'},"
                + "'namespace':'default','operation':'" + operation + "','object':" + object + "}}").replace('\'', '"');
    }

    private AdmissionReviews.Answer answer(String body) throws AdmissionReviews.BadRequest {
        return AdmissionReviews.answer(body.getBytes(StandardCharsets.UTF_8), false, patcher);
    }

    @Test
    void aPodIsAnsweredWithItsUidAndABase64JsonPatch() throws Exception {
        var a = answer(review("CREATE", "pods", "{'metadata':{'annotations':{'proclens.io/inject':'true'}},'spec':{'containers':[{'name':'a'}]}}"));
        JsonNode r = JSON.readTree(a.bytes());
        assertEquals("admission.k8s.io/v1", r.path("apiVersion").asText());
        assertEquals("AdmissionReview", r.path("kind").asText());
        assertEquals("0df28fbd-5f5f-4e58-a2b4-b1a0b2c3d4e5", r.at("/response/uid").asText());
        assertTrue(r.at("/response/allowed").asBoolean());
        assertEquals("JSONPatch", r.at("/response/patchType").asText());
        JsonNode patch = JSON.readTree(Base64.getDecoder().decode(r.at("/response/patch").asText()));
        assertTrue(patch.isArray() && !patch.isEmpty());
        assertFalse(a.warning());
    }

    @Test
    void nothingToDoIsAllowedWithoutPatch() throws Exception {
        JsonNode r = JSON.readTree(answer(review("CREATE", "pods", "{'spec':{'containers':[{'name':'a'}]}}")).bytes());
        assertTrue(r.at("/response/allowed").asBoolean());
        assertTrue(r.at("/response/patch").isMissingNode());
        JsonNode update = JSON.readTree(answer(review("UPDATE", "pods",
                "{'metadata':{'annotations':{'proclens.io/inject':'true'}},'spec':{'containers':[{'name':'a'}]}}")).bytes());
        assertTrue(update.at("/response/patch").isMissingNode(), "a running pod's volumes cannot change");
    }

    @Test
    void ourOwnTroubleNeverBlocksThePod() throws Exception {
        var odd = answer(review("CREATE", "pods", "{'metadata':{'annotations':{'proclens.io/inject':'true'}},'spec':{'containers':'x'}}"));
        JsonNode r = JSON.readTree(odd.bytes());
        assertTrue(r.at("/response/allowed").asBoolean());
        assertTrue(r.at("/response/patch").isMissingNode());
        assertTrue(r.at("/response/warnings/0").asText().contains("spec.containers is not a list"), r.toString());
        assertTrue(odd.warning());
        var notPod = answer(review("CREATE", "deployments", "{}"));
        assertTrue(JSON.readTree(notPod.bytes()).at("/response/allowed").asBoolean());
        assertTrue(notPod.warning());
    }

    @Test
    void whatIsNoAdmissionReviewIsABadRequest() {
        for (String body : new String[]{"", "{", "[]", "null", "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"x\"}}",
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"Pod\"}", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}",
                "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":7}}", "\u00ff\u00fe"}) {
            assertThrows(AdmissionReviews.BadRequest.class, () -> answer(body), body);
        }
    }
}
