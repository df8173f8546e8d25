/**
 * {@code proclens webhook}: a Kubernetes mutating admission webhook that adds proclens' files to pods as
 * read-only hostPath mounts over /proc/... and /sys/.... {@link io.proclens.webhook.PodPatcher} decides and builds
 * the JSONPatch (pure, no I/O), {@link io.proclens.webhook.AdmissionReviews} reads and answers the AdmissionReview
 * envelope, {@link io.proclens.webhook.WebhookServer} is the HTTPS endpoint and
 * {@link io.proclens.webhook.ReloadingKeyManager} serves the certificate on disk, re-read when it changes.
 * Uses only the JDK and Jackson's tree model; never the Kubernetes API.
 */
package io.proclens.webhook;
