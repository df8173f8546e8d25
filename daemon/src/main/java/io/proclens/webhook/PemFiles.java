package io.proclens.webhook;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A certificate chain and its private key from PEM files, as Kubernetes TLS secrets hold them (tls.crt, tls.key).
 * The key may be PKCS#8 ("PRIVATE KEY", openssl genpkey's) or PKCS#1 RSA ("RSA PRIVATE KEY", cert-manager's
 * default for RSA); an SEC1 EC key ("EC PRIVATE KEY") must be converted: openssl pkcs8 -topk8 -nocrypt.
 */
record PemFiles(List<X509Certificate> chain, PrivateKey key) {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    /** rsaEncryption, 1.2.840.113549.1.1.1, with its NULL parameters: the AlgorithmIdentifier that wraps PKCS#1. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    static PemFiles load(Path certFile, Path keyFile) throws IOException, GeneralSecurityException {
        byte[] certBytes = Files.readAllBytes(certFile);
        List<X509Certificate> chain = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(certBytes)).stream()
                .map(c -> (X509Certificate) c).toList();
        if (chain.isEmpty()) throw new GeneralSecurityException(certFile + " holds no certificate");
        String keyText = Files.readString(keyFile, StandardCharsets.US_ASCII);
        Matcher m = BLOCK.matcher(keyText);
        if (!m.find()) throw new GeneralSecurityException(keyFile + " holds no PEM block");
        byte[] der = Base64.getMimeDecoder().decode(m.group(2));
        byte[] pkcs8 = switch (m.group(1)) {
            case "PRIVATE KEY" -> der;
            case "RSA PRIVATE KEY" -> rsaToPkcs8(der);
            default -> throw new GeneralSecurityException(keyFile + ": a " + m.group(1) + " is not supported; convert"
                    + " it with: openssl pkcs8 -topk8 -nocrypt -in " + keyFile.getFileName());
        };
        String algorithm = chain.getFirst().getPublicKey().getAlgorithm();
        PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        matches(chain.getFirst(), key);
        return new PemFiles(chain, key);
    }

    /** A cert and key written one after the other can be a mismatched pair for a moment: sign and verify. */
    private static void matches(X509Certificate cert, PrivateKey key) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
            default -> null; // RSASSA-PSS and others: the handshake tells
        };
        if (algorithm == null) return;
        byte[] probe = "proclens".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(probe);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(cert.getPublicKey());
        verifier.update(probe);
        if (!verifier.verify(signature)) throw new GeneralSecurityException("the key does not belong to the certificate");
    }

    /** PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING pkcs1 } (RFC 5208). */
    static byte[] rsaToPkcs8(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[]{0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        body.writeBytes(length(pkcs1.length));
        body.writeBytes(pkcs1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.writeBytes(length(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    /** DER definite length. */
    private static byte[] length(int n) {
        if (n < 0x80) return new byte[]{(byte) n};
        int bytes = (Integer.SIZE - Integer.numberOfLeadingZeros(n) + 7) / 8;
        byte[] out = new byte[1 + bytes];
        out[0] = (byte) (0x80 | bytes);
        for (int i = 0; i < bytes; i++) out[bytes - i] = (byte) (n >>> (8 * i));
        return out;
    }
}
