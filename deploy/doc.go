// Package deploy holds no code: its tests check the Dockerfile at the
// repository root and the Kubernetes example under deploy/kubernetes, so
// that they cannot rot (strict decoding into the Kubernetes API types,
// probes at the broker's real routes, ports that agree).
package deploy
