package ci_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/contracts-dev/contracts/ci"
)

func TestDetect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want ci.Info
	}{
		{name: "no ci", env: map[string]string{"HOME": "/root"}, want: ci.Info{}},
		{
			name: "github actions push",
			env: map[string]string{
				"GITHUB_ACTIONS": "true", "GITHUB_SHA": "abc123", "GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main",
				"GITHUB_SERVER_URL": "https://github.example", "GITHUB_REPOSITORY": "org/app", "GITHUB_RUN_ID": "42",
			},
			want: ci.Info{Provider: ci.ProviderGitHubActions, Commit: "abc123", Branch: "main", BuildURL: "https://github.example/org/app/actions/runs/42"},
		},
		{
			name: "github actions pull request uses the head branch",
			env: map[string]string{
				"GITHUB_ACTIONS": "true", "GITHUB_SHA": "def456", "GITHUB_REF": "refs/pull/7/merge", "GITHUB_REF_NAME": "7/merge", "GITHUB_HEAD_REF": "feat/x",
			},
			want: ci.Info{Provider: ci.ProviderGitHubActions, Commit: "def456", Branch: "feat/x"},
		},
		{
			name: "gitlab merge request",
			env: map[string]string{
				"GITLAB_CI": "true", "CI_COMMIT_SHA": "aaa", "CI_COMMIT_REF_NAME": "refs/merge-requests/3/head",
				"CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature", "CI_JOB_URL": "https://gitlab.example/job/1", "CI_PIPELINE_URL": "https://gitlab.example/p/1",
			},
			want: ci.Info{Provider: ci.ProviderGitLabCI, Commit: "aaa", Branch: "feature", BuildURL: "https://gitlab.example/job/1"},
		},
		{
			name: "gitlab branch pipeline",
			env:  map[string]string{"GITLAB_CI": "true", "CI_COMMIT_SHA": "bbb", "CI_COMMIT_REF_NAME": "main", "CI_PIPELINE_URL": "https://gitlab.example/p/2"},
			want: ci.Info{Provider: ci.ProviderGitLabCI, Commit: "bbb", Branch: "main", BuildURL: "https://gitlab.example/p/2"},
		},
		{
			name: "jenkins git plugin strips origin",
			env:  map[string]string{"JENKINS_URL": "https://jenkins.example/", "GIT_COMMIT": "ccc", "GIT_BRANCH": "origin/release", "BUILD_URL": "https://jenkins.example/job/app/9/"},
			want: ci.Info{Provider: ci.ProviderJenkins, Commit: "ccc", Branch: "release", BuildURL: "https://jenkins.example/job/app/9/"},
		},
		{
			name: "jenkins multibranch",
			env:  map[string]string{"JENKINS_HOME": "/var/jenkins", "GIT_COMMIT": "ddd", "BRANCH_NAME": "dev", "GIT_BRANCH": "origin/other"},
			want: ci.Info{Provider: ci.ProviderJenkins, Commit: "ddd", Branch: "dev"},
		},
		{
			name: "buildkite",
			env:  map[string]string{"BUILDKITE": "true", "BUILDKITE_COMMIT": "eee", "BUILDKITE_BRANCH": "main", "BUILDKITE_BUILD_URL": "https://buildkite.example/b/3"},
			want: ci.Info{Provider: ci.ProviderBuildkite, Commit: "eee", Branch: "main", BuildURL: "https://buildkite.example/b/3"},
		},
		{
			name: "circleci",
			env:  map[string]string{"CIRCLECI": "true", "CIRCLE_SHA1": "fff", "CIRCLE_BRANCH": "topic", "CIRCLE_BUILD_URL": "https://circle.example/4"},
			want: ci.Info{Provider: ci.ProviderCircleCI, Commit: "fff", Branch: "topic", BuildURL: "https://circle.example/4"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := ci.Detect(func(k string) string { return tt.env[k] })
			require.Equal(t, tt.want, got)
		})
	}
}
