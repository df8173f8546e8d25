package io.proclens.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.proclens.fs.VirtualFile;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.proclens.webhook.Pods.apply;
import static io.proclens.webhook.Pods.assertInjected;
import static io.proclens.webhook.Pods.assertValid;
import static io.proclens.webhook.Pods.mounts;
import static io.proclens.webhook.Pods.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PodPatcherTest {
    private static final Injection INJECTION = Injection.of("/var/lib/proclens", "/var/lib/proclens", false);
    private final PodPatcher patcher = new PodPatcher(INJECTION);

    private static final String ANNOTATED = "'metadata':{'name':'p','annotations':{'proclens.io/inject':'true'}}";

    @Test
    void oneContainerGetsAVolumeAndAReadOnlyMountPerFileAndTheDirectory() throws Exception {
        JsonNode pod = pod("{" + ANNOTATED + ",'spec':{'containers':[{'name':'app','image':'busybox'}]}}");
        JsonNode patched = apply(patcher.patch(pod, false).patch(), pod);
        assertValid(patched);
        assertInjected(patched, INJECTION);
        int files = INJECTION.files().size();
        assertEquals(files + 1, patched.at("/spec/volumes").size());
        JsonNode mounts = patched.at("/spec/containers/0/volumeMounts");
        assertEquals(files + 1, mounts.size());
        for (JsonNode m : mounts) assertTrue(m.path("readOnly").asBoolean(), m.toString());
        JsonNode dir = mounts.get(files);
        assertEquals("/var/lib/proclens", dir.path("mountPath").asText());
        assertEquals("HostToContainer", dir.path("mountPropagation").asText());
        JsonNode meminfo = patched.at("/spec/volumes/0/hostPath");
        assertEquals("/var/lib/proclens/proc/meminfo", meminfo.path("path").asText());
        assertEquals("File", meminfo.path("type").asText());
    }

    @Test
    void pressureFilesOnlyWhenAsked() throws Exception {
        JsonNode pod = pod("{" + ANNOTATED + ",'spec':{'containers':[{'name':'app'}]}}");
        var without = mounts(apply(patcher.patch(pod, false).patch(), pod).at("/spec/containers/0"));
        assertFalse(without.containsKey("/proc/pressure/cpu"));
        Injection pressure = Injection.of("/var/lib/lxcfs", "/run/proclens", true);
        JsonNode patched = apply(new PodPatcher(pressure).patch(pod, false).patch(), pod);
        var with = mounts(patched.at("/spec/containers/0"));
        assertTrue(with.containsKey("/proc/pressure/cpu"));
        assertTrue(with.containsKey("/run/proclens"));
        assertFalse(with.containsKey("/proc/vmstat"), "runc refuses it: never injected");
        assertEquals(VirtualFile.values().length, with.size()); // every file but vmstat, and /run/proclens
        assertInjected(patched, pressure);
    }

    @Test
    void everyContainerAndInitContainerExistingVolumesKept() throws Exception {
        JsonNode pod = pod("{" + ANNOTATED + ",'spec':{"
                + "'initContainers':[{'name':'init','volumeMounts':[{'name':'data','mountPath':'/data'}]}],"
                + "'containers':[{'name':'a'},{'name':'b','volumeMounts':[]},{'name':'c','volumeMounts':[{'name':'data','mountPath':'/data'}]}],"
                + "'volumes':[{'name':'data','emptyDir':{}}]}}");
        JsonNode patched = apply(patcher.patch(pod, false).patch(), pod);
        assertValid(patched);
        assertInjected(patched, INJECTION);
        assertEquals("data", patched.at("/spec/volumes/0/name").asText());
        assertEquals(INJECTION.files().size() + 2, patched.at("/spec/volumes").size());
        assertEquals("/data", patched.at("/spec/containers/2/volumeMounts/0/mountPath").asText());
        assertEquals("/data", patched.at("/spec/initContainers/0/volumeMounts/0/mountPath").asText());
    }

    @Test
    void aMountAlreadyAtAPathIsLeftAloneInThatContainerOnly() throws Exception {
        JsonNode pod = pod("{" + ANNOTATED + ",'spec':{'containers':["
                + "{'name':'own','volumeMounts':[{'name':'mine','mountPath':'/proc/meminfo/'},{'name':'mine','mountPath':'/var/lib/proclens','subPath':'x'}]},"
                + "{'name':'other'}],'volumes':[{'name':'mine','configMap':{'name':'m'}}]}}");
        JsonNode patched = apply(patcher.patch(pod, false).patch(), pod);
        assertValid(patched);
        var own = mounts(patched.at("/spec/containers/0"));
        assertEquals("mine", own.get("/proc/meminfo/"));
        assertFalse(own.containsKey("/proc/meminfo"), "a second mount at the same path");
        assertEquals("mine", own.get("/var/lib/proclens"));
        assertEquals("proclens-proc-cpuinfo", own.get("/proc/cpuinfo"));
        assertEquals("proclens-proc-meminfo", mounts(patched.at("/spec/containers/1")).get("/proc/meminfo"));
    }

    @Test
    void aSecondPassAddsNothing() throws Exception {
        JsonNode pod = pod("{" + ANNOTATED + ",'spec':{'initContainers':[{'name':'i'}],'containers':[{'name':'a'},{'name':'b'}]}}");
        JsonNode once = apply(patcher.patch(pod, false).patch(), pod);
        PodPatcher.Result again = patcher.patch(once, false);
        assertTrue(again.patch().isEmpty(), again.patch().toString());
    }

    @Test
    void aContainerAddedLaterGetsItsMountsAndNoVolumeTwice() throws Exception {
        JsonNode pod = pod("{" + ANNOTATED + ",'spec':{'containers':[{'name':'a'}]}}");
        ObjectNode once = (ObjectNode) apply(patcher.patch(pod, false).patch(), pod);
        ((com.fasterxml.jackson.databind.node.ArrayNode) once.at("/spec/containers")).add(pod("{'name':'sidecar'}"));
        JsonNode twice = apply(patcher.patch(once, false).patch(), once);
        assertValid(twice);
        assertInjected(twice, INJECTION);
        assertEquals(once.at("/spec/volumes").size(), twice.at("/spec/volumes").size());
    }

    @Test
    void optInAndOptOut() throws Exception {
        String spec = ",'spec':{'containers':[{'name':'a'}]}}";
        JsonNode plain = pod("{'metadata':{'name':'p'}" + spec);
        JsonNode optedOut = pod("{'metadata':{'name':'p','annotations':{'proclens.io/inject':'false'}}" + spec);
        JsonNode optedIn = pod("{" + ANNOTATED + spec);
        assertTrue(patcher.patch(plain, false).patch().isEmpty());
        assertFalse(patcher.patch(plain, true).patch().isEmpty(), "a labelled namespace injects unannotated pods");
        assertTrue(patcher.patch(optedOut, true).patch().isEmpty(), "the annotation opts out of a labelled namespace");
        assertTrue(patcher.patch(optedOut, false).patch().isEmpty());
        assertFalse(patcher.patch(optedIn, false).patch().isEmpty());
        assertEquals("opted out by annotation proclens.io/inject", patcher.patch(optedOut, true).reason());
    }

    @Test
    void hostNetworkPodsAreInjectedWindowsPodsAreNot() throws Exception {
        JsonNode host = pod("{" + ANNOTATED + ",'spec':{'hostNetwork':true,'dnsPolicy':'ClusterFirstWithHostNet','containers':[{'name':'a'}]}}");
        assertInjected(apply(patcher.patch(host, false).patch(), host), INJECTION);
        JsonNode windows = pod("{" + ANNOTATED + ",'spec':{'os':{'name':'windows'},'containers':[{'name':'a'}]}}");
        assertTrue(patcher.patch(windows, true).patch().isEmpty());
    }

    @Test
    void aPodOfUnexpectedShapeIsRefusedWithAReason() {
        for (String spec : new String[]{"", ",'spec':3", ",'spec':{'containers':'a'}", ",'spec':{'containers':[3]}",
                ",'spec':{'containers':[{'name':'a','volumeMounts':{}}]}", ",'spec':{'volumes':{},'containers':[{'name':'a'}]}"}) {
            JsonNode pod = pod("{" + ANNOTATED + spec + "}");
            assertThrows(PodPatcher.PodShapeException.class, () -> patcher.patch(pod, false), spec);
        }
    }

    @Test
    void volumeNamesAreDistinctLabels() {
        var names = Arrays.stream(VirtualFile.values()).map(Injection::volumeName).toList();
        assertEquals(names.size(), names.stream().distinct().count());
        for (String n : names) assertTrue(n.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"), n);
    }

    @Test
    void directoriesMustBeAbsolute() {
        assertThrows(IllegalArgumentException.class, () -> Injection.of("var/lib/proclens", "/x", false));
        assertThrows(IllegalArgumentException.class, () -> Injection.of("/var/lib/proclens", "/a/../b", false));
        assertEquals("/var/lib/proclens", Injection.of("/var/lib/proclens/", "/x", false).hostDir());
    }
}
