{{/*
Names and labels. Kept in one place so every object and every selector agree.
*/}}

{{- define "reference-app.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name, max 63 chars (DNS label limit). */}}
{{- define "reference-app.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "reference-app.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels: immutable on a Deployment, so never include versions. */}}
{{- define "reference-app.selectorLabels" -}}
app.kubernetes.io/name: {{ include "reference-app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "reference-app.labels" -}}
helm.sh/chart: {{ include "reference-app.chart" . }}
{{ include "reference-app.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: reference-app
{{- end }}

{{/*
Per-component labels. Usage:
  include "reference-app.componentLabels" (dict "ctx" $ "component" "api")
*/}}
{{- define "reference-app.componentSelectorLabels" -}}
{{ include "reference-app.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "reference-app.componentLabels" -}}
{{ include "reference-app.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "reference-app.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "reference-app.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create=false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository@digest when a digest is given, else repository:tag. */}}
{{- define "reference-app.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{- define "reference-app.secretName" -}}
{{- required "secrets.existingSecret is required: the chart never creates a Secret (see values.yaml)" .Values.secrets.existingSecret }}
{{- end }}

{{/*
Non-secret configuration as KEY: "value" lines. The single source for both
the ConfigMap and the migration hook Job (which runs before the ConfigMap
exists on first install, so it gets the same values inline).
*/}}
{{- define "reference-app.configData" -}}
APP_ENVIRONMENT: {{ .Values.config.environment | quote }}
APP_LOG_LEVEL: {{ .Values.config.logLevel | quote }}
APP_CORS_ORIGINS: {{ .Values.config.corsOrigins | toJson | quote }}
APP_TRUSTED_PROXIES: {{ .Values.config.trustedProxies | toJson | quote }}
APP_AUTO_MIGRATE: {{ .Values.config.autoMigrate | toString | quote }}
{{- if and .Values.frontend.enabled (not (hasKey .Values.config.extraEnv "APP_FRONTEND_URL")) }}
{{- /* Where the app's emails link (/reset-password, /posts/<id>): the frontend. */}}
APP_FRONTEND_URL: {{ first (splitList "," (include "reference-app.publicOrigins" .)) | quote }}
{{- end }}
{{- range $key, $value := .Values.config.extraEnv }}
{{ $key }}: {{ $value | toString | quote }}
{{- end }}
{{- end }}

{{/* Secret-backed environment variables, by reference only. */}}
{{- define "reference-app.secretEnv" -}}
- name: APP_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "reference-app.secretName" . }}
      key: {{ .Values.secrets.keys.secretKey }}
- name: APP_DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "reference-app.secretName" . }}
      key: {{ .Values.secrets.keys.databaseUrl }}
- name: APP_REDIS_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "reference-app.secretName" . }}
      key: {{ .Values.secrets.keys.redisUrl }}
{{- if .Values.secrets.keys.metricsBearerToken }}
- name: APP_METRICS_BEARER_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "reference-app.secretName" . }}
      key: {{ .Values.secrets.keys.metricsBearerToken }}
{{- else if and (eq .Values.config.environment "production") (include "reference-app.metricsEnabled" .) }}
{{- fail "secrets.keys.metricsBearerToken is empty, but production refuses to serve /metrics without APP_METRICS_BEARER_TOKEN: name its key in the Secret, or set config.extraEnv.APP_METRICS_ENABLED: \"false\"" }}
{{- end }}
{{- end }}

{{/* "true" unless config.extraEnv turns the app's metrics off (empty string: off). */}}
{{- define "reference-app.metricsEnabled" -}}
{{- $value := dig "APP_METRICS_ENABLED" "true" .Values.config.extraEnv | toString | lower }}
{{- if not (has $value (list "false" "0" "no" "off")) }}true{{ end }}
{{- end }}

{{/* Environment for long-running workloads: ConfigMap + Secret refs. */}}
{{- define "reference-app.envFrom" -}}
envFrom:
  - configMapRef:
      name: {{ include "reference-app.fullname" . }}
env:
  {{- include "reference-app.secretEnv" . | nindent 2 }}
{{- end }}

{{/*
Rolls pods when the ConfigMap changes (env vars are read only at start).
*/}}
{{- define "reference-app.configChecksum" -}}
checksum/config: {{ include "reference-app.configData" . | sha256sum }}
{{- end }}

{{/*
Checkov skip annotations shared by every workload. Checkov reads
"checkov.io/skipN: CHECK_ID=reason" from the object's annotations; each
reason below is the justification a reviewer would ask for.
*/}}
{{- define "reference-app.checkovSkips" -}}
checkov.io/skip1: "CKV_K8S_35=The app reads configuration from APP_* environment variables only (pydantic-settings, 12-factor); values come from secretKeyRef, never from the manifest."
{{- if ne .Values.image.pullPolicy "Always" }}
checkov.io/skip5: "CKV_K8S_15=Dev render - the image is imported into a local cluster (k3d/kind), so it cannot be pulled; production uses Always."
{{- end }}
{{- if not .Values.image.digest }}
checkov.io/skip2: "CKV_K8S_43=No digest in this render; the release pipeline sets image.digest, which removes this skip."
{{- end }}
{{- end }}

{{/* Pod-level settings shared by every workload. */}}
{{- define "reference-app.podSpecCommon" -}}
serviceAccountName: {{ include "reference-app.serviceAccountName" . }}
# The app never talks to the Kubernetes API: no token in the pod.
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{- define "reference-app.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
{{- end }}

{{- define "reference-app.tmpVolumeMount" -}}
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* DNS: without it nothing resolves a host name (the database's, the API's). */}}
{{- define "reference-app.dnsEgressRule" -}}
- to:
    - namespaceSelector:
        matchLabels:
          kubernetes.io/metadata.name: kube-system
      podSelector:
        matchLabels:
          k8s-app: kube-dns
  ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
{{- end }}

{{/* Egress allowed to every pod of the app's image (see networkpolicy.yaml). */}}
{{- define "reference-app.egressRules" -}}
{{ include "reference-app.dnsEgressRule" . }}
- to:
    {{- toYaml .Values.networkPolicy.database.to | nindent 4 }}
  ports:
    - protocol: TCP
      port: {{ .Values.networkPolicy.database.port }}
- to:
    {{- toYaml .Values.networkPolicy.redis.to | nindent 4 }}
  ports:
    - protocol: TCP
      port: {{ .Values.networkPolicy.redis.port }}
{{- with .Values.networkPolicy.extraEgress }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The frontend's image: repository@digest when a digest is given, else repository:tag. */}}
{{- define "reference-app.frontendImage" -}}
{{- with .Values.frontend.image }}
{{- if .digest }}
{{- printf "%s@%s" .repository .digest }}
{{- else }}
{{- printf "%s:%s" .repository (default $.Chart.AppVersion .tag) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The site's public origins, comma-separated: frontend.publicOrigins, else one per
ingress host (https when the Ingress or the IngressRoute has TLS). The frontend's
session handlers accept requests from these only; the app's emails link to the first.
*/}}
{{- define "reference-app.publicOrigins" -}}
{{- if .Values.frontend.publicOrigins }}
{{- join "," .Values.frontend.publicOrigins }}
{{- else }}
{{- $tls := or .Values.ingress.tls (and .Values.traefik.ingressRoute.enabled (or .Values.traefik.ingressRoute.tls.secretName .Values.traefik.ingressRoute.tls.certResolver)) }}
{{- $origins := list }}
{{- range .Values.ingress.hosts }}
{{- $origins = append $origins (printf "%s://%s" (ternary "https" "http" (not (empty $tls))) .host) }}
{{- end }}
{{- required "frontend.publicOrigins is needed when ingress.hosts is empty" (join "," $origins) }}
{{- end }}
{{- end }}

{{/* The frontend's Pino level for the app's log level (Pino's names differ). */}}
{{- define "reference-app.frontendLogLevel" -}}
{{- get (dict "DEBUG" "debug" "INFO" "info" "WARNING" "warn" "ERROR" "error" "CRITICAL" "fatal") .Values.config.logLevel }}
{{- end }}

{{/*
Checkov skips of the frontend: only those about its image (it holds no secret,
so CKV_K8S_35 does not apply).
*/}}
{{- define "reference-app.frontendCheckovSkips" -}}
{{- if ne .Values.image.pullPolicy "Always" }}
checkov.io/skip5: "CKV_K8S_15=Dev render - the image is imported into a local cluster (k3d/kind), so it cannot be pulled; production uses Always."
{{- end }}
{{- if not .Values.frontend.image.digest }}
checkov.io/skip2: "CKV_K8S_43=No digest in this render; the release pipeline sets frontend.image.digest, which removes this skip."
{{- end }}
{{- end }}
