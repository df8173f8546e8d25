package io.proclens.webhook;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The server's key and certificate, read from PEM files and read again when they change: at each TLS handshake
 * it compares the files' modification time, size and inode with those it loaded (two stat calls, no reading), so
 * a renewed Kubernetes secret (which the kubelet swaps in through a symlink) is served from the next connection
 * on, without a restart. A pair that does not load (half written, key and cert not matching) is logged once and
 * the previous pair kept.
 */
public final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private static final Logger LOG = Logger.getLogger(ReloadingKeyManager.class.getName());

    private record Stamp(List<Object> parts) {
    }

    /** A handshake asks for the alias first, then its chain and key: the alias names one pair, also mid-reload. */
    private record Loaded(PemFiles pem, Stamp stamp, String alias) {
    }

    private final Path certFile;
    private final Path keyFile;
    private volatile Loaded current;
    private volatile Loaded previous;
    private int generation;
    private Stamp failed;
    private volatile Runnable onReload = () -> { };

    /** Loads the pair now: a webhook with no valid certificate at start is a configuration error. */
    public ReloadingKeyManager(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        this.certFile = certFile;
        this.keyFile = keyFile;
        Stamp stamp = stamp();
        current = new Loaded(PemFiles.load(certFile, keyFile), stamp, "proclens-0");
        LOG.info("serving " + describe(current.pem()));
    }

    /** Called after a new pair was loaded (the server drops its TLS sessions, which would resume the old one). */
    public void onReload(Runnable action) {
        onReload = Objects.requireNonNull(action);
    }

    /** The certificate served now. */
    public X509Certificate certificate() {
        return current.pem().chain().getFirst();
    }

    /** Loads the files again if they changed since the last load (or the last failed attempt). */
    public synchronized void refresh() {
        Stamp stamp;
        try {
            stamp = stamp();
        } catch (IOException e) {
            if (failed == null) LOG.warning("cannot stat " + certFile + " or " + keyFile + ", keeping the loaded certificate: " + e);
            failed = new Stamp(List.of());
            return;
        }
        if (stamp.equals(current.stamp()) || stamp.equals(failed)) return;
        try {
            Loaded next = new Loaded(PemFiles.load(certFile, keyFile), stamp, "proclens-" + ++generation);
            previous = current;
            current = next;
            failed = null;
            LOG.info("reloaded: serving " + describe(current.pem()));
            onReload.run();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            failed = stamp;
            LOG.warning("cannot load " + certFile + " and " + keyFile + ", keeping the previous certificate: " + e);
        }
    }

    private Stamp stamp() throws IOException {
        BasicFileAttributes cert = Files.readAttributes(certFile, BasicFileAttributes.class);
        BasicFileAttributes key = Files.readAttributes(keyFile, BasicFileAttributes.class);
        return new Stamp(List.of(cert.lastModifiedTime(), cert.size(), String.valueOf(cert.fileKey()),
                key.lastModifiedTime(), key.size(), String.valueOf(key.fileKey())));
    }

    private static String describe(PemFiles pem) {
        X509Certificate cert = pem.chain().getFirst();
        return cert.getSubjectX500Principal().getName() + " (" + cert.getPublicKey().getAlgorithm() + "), valid until "
                + cert.getNotAfter().toInstant();
    }

    private String alias(String keyType) {
        refresh();
        Loaded loaded = current;
        String algorithm = loaded.pem().key().getAlgorithm();
        boolean edwards = algorithm.startsWith("Ed") && keyType.startsWith("Ed");
        return keyType.equalsIgnoreCase(algorithm) || edwards ? loaded.alias() : null;
    }

    private PemFiles pair(String alias) {
        Loaded c = current;
        Loaded p = previous;
        if (c.alias().equals(alias)) return c.pem();
        return p != null && p.alias().equals(alias) ? p.pem() : null;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias(keyType);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        PemFiles pem = pair(alias);
        return pem == null ? null : pem.chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        PemFiles pem = pair(alias);
        return pem == null ? null : pem.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = alias(keyType);
        return alias == null ? null : new String[]{alias};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
