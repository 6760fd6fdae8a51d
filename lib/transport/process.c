/* Running a credential_process program. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "transport/buf.h"
#include "transport/process.h"

extern char **environ;

static void free_words(char **words)
{
	for (size_t i = 0; words && words[i]; i++)
		free(words[i]);
	free(words);
}

/* Splits a command line into a NULL-terminated word array; returns NULL on unbalanced quotes. */
static char **split_words(const char *s)
{
	size_t cap = strlen(s) / 2 + 2, n = 0;
	char **words = calloc(cap, sizeof(char *));
	buf word = BUF_INIT;
	int in_word = 0;

	if (!words)
		return NULL;
	for (const char *p = s;; p++) {
		if (*p == '\0' || *p == ' ' || *p == '\t' || *p == '\n') {
			if (in_word) {
				words[n++] = buf_detach(&word);
				in_word = 0;
			}
			if (*p == '\0')
				break;
			continue;
		}
		in_word = 1;
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');

			if (!end)
				goto unbalanced;
			buf_append(&word, p + 1, (size_t)(end - p - 1));
			p = end;
		} else if (*p == '"') {
			for (p++; *p && *p != '"'; p++) {
				if (*p == '\\' && (p[1] == '"' || p[1] == '\\' || p[1] == '$' || p[1] == '`'))
					p++;
				buf_putc(&word, *p);
			}
			if (*p != '"')
				goto unbalanced;
		} else if (*p == '\\' && p[1]) {
			buf_putc(&word, *++p);
		} else {
			buf_putc(&word, *p);
		}
		/* An empty quoted word still counts as a word. */
		if (word.data == NULL)
			buf_append(&word, "", 0);
	}
	words[n] = NULL;
	return words;

unbalanced:
	buf_free(&word);
	free_words(words);
	return NULL;
}

int process_run(char **out, const char *command, char *errbuf, size_t errlen)
{
	char **argv = split_words(command);
	int pipefd[2] = { -1, -1 };
	posix_spawn_file_actions_t actions;
	pid_t pid;
	int status = 0, rc;
	buf output = BUF_INIT;

	*out = NULL;
	if (!argv || !argv[0]) {
		snprintf(errbuf, errlen, "credential_process is empty or has an unclosed quote");
		free_words(argv);
		return -1;
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		snprintf(errbuf, errlen, "cannot create a pipe: %s", strerror(errno));
		free_words(argv);
		return -1;
	}

	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_adddup2(&actions, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	close(pipefd[1]);
	if (rc != 0) {
		snprintf(errbuf, errlen, "cannot run credential_process program \"%.200s\": %s", argv[0], strerror(rc));
		close(pipefd[0]);
		free_words(argv);
		return -1;
	}

	/* Read to the end, so the child cannot block on a full pipe, but keep at most PROCESS_MAX_OUTPUT bytes. */
	char chunk[4096];
	ssize_t got;
	int too_long = 0;
	while ((got = read(pipefd[0], chunk, sizeof(chunk))) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (output.len + (size_t)got > PROCESS_MAX_OUTPUT)
			too_long = 1;
		else
			buf_append(&output, chunk, (size_t)got);
	}
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;

	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		snprintf(errbuf, errlen, "credential_process program \"%.200s\" failed (%s %d)", argv[0],
			WIFEXITED(status) ? "exit status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		buf_free(&output);
		free_words(argv);
		return -1;
	}
	if (too_long) {
		snprintf(errbuf, errlen, "credential_process program \"%.200s\" wrote more than %u bytes", argv[0],
			PROCESS_MAX_OUTPUT);
		buf_free(&output);
		free_words(argv);
		return -1;
	}
	free_words(argv);
	*out = buf_detach(&output);
	if (!*out) {
		snprintf(errbuf, errlen, "out of memory");
		return -1;
	}
	return 0;
}
