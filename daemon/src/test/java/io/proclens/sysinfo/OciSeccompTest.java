package io.proclens.sysinfo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** config.json as containerd writes it for Docker (compact, the default profile's shape), edited for sysinfo. */
class OciSeccompTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SOCKET = "/run/proclens/seccomp_var_lib_proclens.sock";

    private static String config(String seccomp) {
        return "{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"args\":[\"busybox\",\"sysinfo\"],\"env\":[\"A=sysinfo\"]},"
                + "\"linux\":{\"namespaces\":[{\"type\":\"pid\"}]" + (seccomp == null ? "" : ",\"seccomp\":" + seccomp)
                + "}}";
    }

    private static final String DOCKER_LIKE = "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,"
            + "\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"],\"syscalls\":["
            + "{\"names\":[\"accept\",\"sysinfo\",\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"
            + "{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"4.8\"}},"
            + "{\"names\":[\"sysinfo\"],\"action\":\"SCMP_ACT_ALLOW\"}]}";

    @Test
    void dockersDefaultProfileNotifiesSysinfoAndChangesNothingElse() throws Exception {
        OciSeccomp.Edit edit = OciSeccomp.handSysinfoTo(config(DOCKER_LIKE), SOCKET);
        assertTrue(edit.config().isPresent(), edit.reason());
        JsonNode root = JSON.readTree(edit.config().get());
        JsonNode filter = root.path("linux").path("seccomp");
        assertEquals(SOCKET, filter.path("listenerPath").asText());
        assertEquals("SCMP_ACT_ERRNO", filter.path("defaultAction").asText());
        assertEquals(1, filter.path("defaultErrnoRet").asInt());
        JsonNode rules = filter.path("syscalls");
        assertEquals(3, rules.size(), "notify first; sysinfo's own allow rule gone: " + rules);
        assertEquals("[\"sysinfo\"]", rules.get(0).path("names").toString());
        assertEquals("SCMP_ACT_NOTIFY", rules.get(0).path("action").asText());
        assertEquals("[\"accept\",\"read\"]", rules.get(1).path("names").toString());
        assertEquals("SCMP_ACT_ALLOW", rules.get(1).path("action").asText());
        assertEquals("4.8", rules.get(2).path("includes").path("minKernel").asText());
        assertEquals("[\"busybox\",\"sysinfo\"]", root.path("process").path("args").toString(), "outside the filter");
        assertEquals("[\"A=sysinfo\"]", root.path("process").path("env").toString());
        assertEquals("[{\"type\":\"pid\"}]", root.path("linux").path("namespaces").toString());
    }

    @Test
    void aFilterThatAllowsByDefaultNotifiesToo() throws Exception {
        OciSeccomp.Edit edit = OciSeccomp.handSysinfoTo(config(
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"kexec_load\"],\"action\":\"SCMP_ACT_ERRNO\"}]}"),
                SOCKET);
        JsonNode rules = JSON.readTree(edit.config().orElseThrow()).path("linux").path("seccomp").path("syscalls");
        assertEquals("SCMP_ACT_NOTIFY", rules.get(0).path("action").asText());
        assertEquals("kexec_load", rules.get(1).path("names").get(0).asText());
    }

    @Test
    void whatTheFilterDeniesOrConditionsStaysSo() throws Exception {
        assertEquals("the filter does not allow sysinfo", OciSeccomp.handSysinfoTo(config(
                "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"}]}"),
                SOCKET).reason());
        assertEquals("the filter does not allow sysinfo", OciSeccomp.handSysinfoTo(config(
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"sysinfo\"],\"action\":\"SCMP_ACT_ERRNO\"}]}"),
                SOCKET).reason());
        assertEquals("the filter does not allow sysinfo", OciSeccomp.handSysinfoTo(config(
                "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"sysinfo\"],\"action\":\"SCMP_ACT_ALLOW\","
                        + "\"args\":[{\"index\":0,\"value\":0,\"op\":\"SCMP_CMP_NE\"}]}]}"), SOCKET).reason());
    }

    @Test
    void unconfinedOrAnotherListenerIsLeftAlone() throws Exception {
        assertEquals("no seccomp filter", OciSeccomp.handSysinfoTo(config(null), SOCKET).reason());
        OciSeccomp.Edit other = OciSeccomp.handSysinfoTo(config(
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"listenerPath\":\"/run/other.sock\",\"syscalls\":[]}"), SOCKET);
        assertTrue(other.config().isEmpty());
        assertTrue(other.reason().contains("/run/other.sock"), other.reason());
    }

    @Test
    void aProfileForLocalhostUseGetsTheSameEdit() throws Exception {
        OciSeccomp.Edit edit = OciSeccomp.profileHandingSysinfoTo(DOCKER_LIKE, SOCKET);
        JsonNode profile = JSON.readTree(edit.config().orElseThrow());
        assertEquals(SOCKET, profile.path("listenerPath").asText());
        assertEquals("SCMP_ACT_ERRNO", profile.path("defaultAction").asText());
        assertEquals("SCMP_ACT_NOTIFY", profile.path("syscalls").get(0).path("action").asText());
        assertEquals("[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"]", profile.path("architectures").toString());
        assertEquals("not a seccomp profile (no JSON object)", OciSeccomp.profileHandingSysinfoTo("[]", SOCKET).reason());
    }

    @Test
    void theRuntimesStateNamesTheContainer() {
        assertEquals("abc", RuntimeSocket.containerOf("{\"fds\":[\"seccompFd\"],\"state\":{\"id\":\"abc\",\"pid\":7}}"));
        assertEquals("?", RuntimeSocket.containerOf("{\"fds\":[\"seccompFd\"]}"));
        assertEquals("?", RuntimeSocket.containerOf("not json"));
    }
}
