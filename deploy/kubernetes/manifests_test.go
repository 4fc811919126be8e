// Package kubernetes holds Graphbox's Kubernetes manifests and their offline validation: each
// document is decoded strictly (unknown or misspelt fields fail) into the Kubernetes API types,
// and the parts are checked against each other and the gateway. It is its own module so the
// gateway's build never pulls in the Kubernetes API packages.
package kubernetes

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"sigs.k8s.io/yaml"
)

// manifests are the documents of every *.yaml file but the kustomization, by kind.
type manifests struct {
	configMaps   []*corev1.ConfigMap
	deployments  []*appsv1.Deployment
	services     []*corev1.Service
	hpas         []*autoscalingv2.HorizontalPodAutoscaler
	pdbs         []*policyv1.PodDisruptionBudget
	files, kinds []string
}

func load(t *testing.T) manifests {
	t.Helper()
	paths, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m manifests
	for _, path := range paths {
		if path == "kustomization.yaml" {
			continue
		}
		m.files = append(m.files, path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, doc := range bytes.Split(data, []byte("\n---")) {
			if len(bytes.TrimSpace(doc)) == 0 {
				continue
			}
			if err := m.add(doc); err != nil {
				t.Errorf("%s, document %d: %v", path, i+1, err)
			}
		}
	}
	return m
}

// add decodes one document strictly into the type its apiVersion and kind name.
func (m *manifests) add(doc []byte) error {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(doc, &tm); err != nil {
		return err
	}
	into := func(v any) error { return yaml.UnmarshalStrict(doc, v) }
	gvk := tm.APIVersion + "/" + tm.Kind
	m.kinds = append(m.kinds, gvk)
	switch gvk {
	case "v1/ConfigMap":
		v := &corev1.ConfigMap{}
		m.configMaps = append(m.configMaps, v)
		return into(v)
	case "apps/v1/Deployment":
		v := &appsv1.Deployment{}
		m.deployments = append(m.deployments, v)
		return into(v)
	case "v1/Service":
		v := &corev1.Service{}
		m.services = append(m.services, v)
		return into(v)
	case "autoscaling/v2/HorizontalPodAutoscaler":
		v := &autoscalingv2.HorizontalPodAutoscaler{}
		m.hpas = append(m.hpas, v)
		return into(v)
	case "policy/v1/PodDisruptionBudget":
		v := &policyv1.PodDisruptionBudget{}
		m.pdbs = append(m.pdbs, v)
		return into(v)
	}
	return fmt.Errorf("unexpected kind %s", gvk)
}

func TestManifestsDecodeStrictly(t *testing.T) {
	m := load(t)
	want := []string{"apps/v1/Deployment", "autoscaling/v2/HorizontalPodAutoscaler", "policy/v1/PodDisruptionBudget", "v1/ConfigMap", "v1/Service"}
	got := slices.Clone(m.kinds)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("kinds %v, want one each of %v", got, want)
	}
}

// A misspelt field is an error, so the strict decoding above means something.
func TestStrictDecodingRefusesUnknownFields(t *testing.T) {
	var m manifests
	err := m.add([]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  replica: 2\n"))
	if err == nil || !strings.Contains(err.Error(), "replica") {
		t.Errorf("a misspelt field decoded: %v", err)
	}
}

func TestKustomizationListsEveryManifest(t *testing.T) {
	data, err := os.ReadFile("kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Resources  []string `json:"resources"`
	}
	if err := yaml.UnmarshalStrict(data, &k); err != nil {
		t.Fatal(err)
	}
	m := load(t)
	got := slices.Clone(k.Resources)
	sort.Strings(got)
	if !slices.Equal(got, m.files) {
		t.Errorf("kustomization resources %v, files %v", got, m.files)
	}
}

func TestDeployment(t *testing.T) {
	m := load(t)
	if len(m.deployments) != 1 || len(m.configMaps) != 1 {
		t.Fatalf("want one Deployment and one ConfigMap")
	}
	d := m.deployments[0]
	pod := d.Spec.Template
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil || !sel.Matches(labels.Set(pod.Labels)) {
		t.Errorf("the Deployment's selector does not match its pods: %v", err)
	}
	if d.Spec.Replicas == nil || *d.Spec.Replicas < 2 {
		t.Errorf("want at least 2 replicas")
	}
	ps := pod.Spec.SecurityContext
	if ps == nil || ps.RunAsNonRoot == nil || !*ps.RunAsNonRoot || ps.RunAsUser == nil || *ps.RunAsUser == 0 {
		t.Errorf("pods must run as a non-root user")
	}
	if len(pod.Spec.Containers) != 1 {
		t.Fatalf("want one container")
	}
	c := pod.Spec.Containers[0]
	ports := map[string]int32{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	for name, probe := range map[string]*corev1.Probe{"/readyz": c.ReadinessProbe, "/healthz": c.LivenessProbe} {
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != name || ports[probe.HTTPGet.Port.String()] == 0 {
			t.Errorf("want a probe on %s on a named container port", name)
		}
	}
	sc := c.SecurityContext
	if sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
		sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		t.Errorf("the container needs a read-only root filesystem, no privilege escalation and no capabilities")
	}
	if c.Resources.Requests.Cpu().IsZero() || c.Resources.Requests.Memory().IsZero() || c.Resources.Limits.Memory().IsZero() {
		t.Errorf("the container needs CPU and memory requests and a memory limit")
	}

	// The config file comes from the ConfigMap, and its listen addresses are the ports.
	cm := m.configMaps[0]
	mounted := false
	for _, v := range pod.Spec.Volumes {
		if v.ConfigMap != nil && v.ConfigMap.Name == cm.Name {
			for _, vm := range c.VolumeMounts {
				if vm.Name == v.Name && slices.Contains(c.Args, vm.MountPath+"/config.yaml") {
					mounted = true
				}
			}
		}
	}
	if !mounted {
		t.Errorf("the container's --config is not the ConfigMap's config.yaml")
	}
	var cfg struct {
		Listen  string `json:"listen"`
		Metrics struct {
			Listen string `json:"listen"`
		} `json:"metrics"`
		Shutdown struct {
			DrainDelay string `json:"drain_delay"`
			Timeout    string `json:"timeout"`
		} `json:"shutdown"`
	}
	if err := yaml.Unmarshal([]byte(cm.Data["config.yaml"]), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Listen != fmt.Sprintf(":%d", ports["http"]) || cfg.Metrics.Listen != fmt.Sprintf(":%d", ports["metrics"]) {
		t.Errorf("config listens on %q and %q, the container's ports are %v", cfg.Listen, cfg.Metrics.Listen, ports)
	}
}

// Every key of the ConfigMap's config.yaml is one the gateway knows (config.yaml.example lists
// them all, and the gateway's tests keep it in step with its Config).
func TestConfigKeysKnown(t *testing.T) {
	example, err := os.ReadFile("../../config.yaml.example")
	if err != nil {
		t.Fatal(err)
	}
	var known, used map[string]any
	if err := yaml.Unmarshal(example, &known); err != nil {
		t.Fatal(err)
	}
	m := load(t)
	if len(m.configMaps) != 1 {
		t.Fatal("want one ConfigMap")
	}
	if err := yaml.Unmarshal([]byte(m.configMaps[0].Data["config.yaml"]), &used); err != nil {
		t.Fatal(err)
	}
	var check func(prefix string, used, known map[string]any)
	check = func(prefix string, used, known map[string]any) {
		for k, v := range used {
			kv, ok := known[k]
			if !ok {
				t.Errorf("config.yaml: unknown key %s%s", prefix, k)
				continue
			}
			if sub, ok := v.(map[string]any); ok {
				ksub, _ := kv.(map[string]any)
				check(prefix+k+".", sub, ksub)
			}
		}
	}
	check("", used, known)
}

func TestServiceHPAAndPDBTargetThePods(t *testing.T) {
	m := load(t)
	if len(m.deployments) != 1 || len(m.services) != 1 || len(m.hpas) != 1 || len(m.pdbs) != 1 {
		t.Fatalf("want one Deployment, Service, HorizontalPodAutoscaler and PodDisruptionBudget")
	}
	d := m.deployments[0]
	podLabels := labels.Set(d.Spec.Template.Labels)
	c := d.Spec.Template.Spec.Containers[0]
	names := map[string]bool{}
	for _, p := range c.Ports {
		names[p.Name] = true
	}

	s := m.services[0]
	if !labels.SelectorFromSet(s.Spec.Selector).Matches(podLabels) || len(s.Spec.Selector) == 0 {
		t.Errorf("the Service's selector %v does not match the pods %v", s.Spec.Selector, podLabels)
	}
	for _, p := range s.Spec.Ports {
		if !names[p.TargetPort.String()] {
			t.Errorf("Service port %s targets %s, not a container port", p.Name, p.TargetPort.String())
		}
	}

	h := m.hpas[0]
	ref := h.Spec.ScaleTargetRef
	if ref.Kind != "Deployment" || ref.Name != d.Name || ref.APIVersion != "apps/v1" {
		t.Errorf("the HorizontalPodAutoscaler scales %+v, not the Deployment %s", ref, d.Name)
	}
	if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 || h.Spec.MaxReplicas < *h.Spec.MinReplicas {
		t.Errorf("HorizontalPodAutoscaler replicas %v..%d", h.Spec.MinReplicas, h.Spec.MaxReplicas)
	}
	if c.Resources.Requests.Cpu().IsZero() {
		t.Errorf("CPU utilization needs a CPU request")
	}

	p := m.pdbs[0]
	sel, err := metav1.LabelSelectorAsSelector(p.Spec.Selector)
	if err != nil || !sel.Matches(podLabels) {
		t.Errorf("the PodDisruptionBudget's selector does not match the pods: %v", err)
	}
	if p.Spec.MinAvailable == nil || p.Spec.MinAvailable.IntValue() < 1 || p.Spec.MinAvailable.IntValue() >= int(*h.Spec.MinReplicas) {
		t.Errorf("PodDisruptionBudget minAvailable %v must leave room to evict one of %d replicas", p.Spec.MinAvailable, *h.Spec.MinReplicas)
	}
}
