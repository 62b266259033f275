// Package ci holds what contracts needs to know about continuous
// integration systems: which one is running and the commit, branch and build
// URL it is building.
package ci

import "strings"

// Info describes the build a CI system is running. Fields are empty when the
// environment does not say.
type Info struct {
	// Commit is the commit being built (the application version).
	Commit string
	// Branch is the branch being built (the source branch of a pull or
	// merge request).
	Branch string
	// BuildURL links to the build.
	BuildURL string
	// Provider names the CI system: ProviderGitHubActions, ...; empty when
	// none was recognised.
	Provider string
}

// Names of the recognised CI systems, the values of Info.Provider.
const (
	ProviderGitHubActions = "github-actions"
	ProviderGitLabCI      = "gitlab-ci"
	ProviderJenkins       = "jenkins"
	ProviderBuildkite     = "buildkite"
	ProviderCircleCI      = "circleci"
)

// Detect recognises the CI system from its environment variables, read with
// getenv (os.Getenv in production), and returns what it says about the
// build. It returns the zero Info when no known CI system is found.
func Detect(getenv func(string) string) Info {
	switch {
	case getenv("GITHUB_ACTIONS") == "true":
		info := Info{Provider: ProviderGitHubActions, Commit: getenv("GITHUB_SHA")}
		// GITHUB_HEAD_REF is the source branch of a pull request; for
		// pushes GITHUB_REF_NAME is the branch (or tag) name.
		info.Branch = firstNonEmpty(getenv("GITHUB_HEAD_REF"), branchFromRef(getenv("GITHUB_REF")), getenv("GITHUB_REF_NAME"))
		if server, repo, run := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID"); server != "" && repo != "" && run != "" {
			info.BuildURL = strings.TrimRight(server, "/") + "/" + repo + "/actions/runs/" + run
		}
		return info
	case getenv("GITLAB_CI") == "true":
		return Info{
			Provider: ProviderGitLabCI,
			Commit:   getenv("CI_COMMIT_SHA"),
			Branch:   firstNonEmpty(getenv("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"), getenv("CI_COMMIT_BRANCH"), getenv("CI_COMMIT_REF_NAME")),
			BuildURL: firstNonEmpty(getenv("CI_JOB_URL"), getenv("CI_PIPELINE_URL")),
		}
	case getenv("BUILDKITE") == "true":
		return Info{
			Provider: ProviderBuildkite,
			Commit:   getenv("BUILDKITE_COMMIT"),
			Branch:   getenv("BUILDKITE_BRANCH"),
			BuildURL: getenv("BUILDKITE_BUILD_URL"),
		}
	case getenv("CIRCLECI") == "true":
		return Info{
			Provider: ProviderCircleCI,
			Commit:   getenv("CIRCLE_SHA1"),
			Branch:   getenv("CIRCLE_BRANCH"),
			BuildURL: getenv("CIRCLE_BUILD_URL"),
		}
	case getenv("JENKINS_URL") != "" || getenv("JENKINS_HOME") != "":
		// Multibranch pipelines set BRANCH_NAME (CHANGE_BRANCH for pull
		// requests); the git plugin sets GIT_BRANCH as "origin/name".
		return Info{
			Provider: ProviderJenkins,
			Commit:   getenv("GIT_COMMIT"),
			Branch:   firstNonEmpty(getenv("CHANGE_BRANCH"), getenv("BRANCH_NAME"), strings.TrimPrefix(getenv("GIT_BRANCH"), "origin/")),
			BuildURL: getenv("BUILD_URL"),
		}
	}
	return Info{}
}

// branchFromRef returns the branch of a "refs/heads/name" ref, "" for other
// refs (tags, pull request merge refs).
func branchFromRef(ref string) string {
	if b, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
		return b
	}
	return ""
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
