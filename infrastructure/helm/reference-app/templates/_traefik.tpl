{{/*
Names of the Traefik Middleware objects (traefik.yaml), comma-separated, in
the order a router applies them: headers first (a 429 gets them too), retry
last (closest to the pods it retries).
*/}}
{{- define "reference-app.traefikMiddlewareNames" -}}
{{- $fullname := include "reference-app.fullname" . -}}
{{- list (printf "%s-security-headers" $fullname) (printf "%s-rate-limit" $fullname) (printf "%s-retry" $fullname) | join "," -}}
{{- end }}

{{/* Traefik's rule for one entry of ingress.hosts: the host and any of its paths. */}}
{{- define "reference-app.traefikRule" -}}
{{- $paths := list -}}
{{- range .paths -}}
{{- $matcher := ternary "Path" "PathPrefix" (eq .pathType "Exact") -}}
{{- $paths = append $paths (printf "%s(`%s`)" $matcher .path) -}}
{{- end -}}
Host(`{{ .host }}`) && ({{ join " || " $paths }})
{{- end }}
