/* A minimal libpeerguard consumer: load a policy file, evaluate one input, print the matches. */
#include <stdio.h>
#include <peerguard/peerguard.h>

int main(int argc, char **argv)
{
	peerguard_policy_set *set = NULL;
	peerguard_context ctx = PEERGUARD_CONTEXT_INIT;
	peerguard_result *result = NULL;
	peerguard_error err;

	if (argc != 3) {
		fprintf(stderr, "usage: %s POLICY INPUT\n", argv[0]);
		return 2;
	}
	if (peerguard_policy_set_load_file(&set, argv[1], NULL, &err) < 0) {
		fprintf(stderr, "%s\n", err.message);
		return 2;
	}

	ctx.account_id = "111111111111";
	if (peerguard_evaluate_file(&result, set, &ctx, PEERGUARD_INPUT_AUTO, argv[2], &err) < 0) {
		fprintf(stderr, "%s\n", err.message);
		peerguard_policy_set_free(set);
		return 2;
	}

	for (size_t i = 0; i < peerguard_result_count(result); i++) {
		const peerguard_decision *d = peerguard_result_get(result, i);

		if (peerguard_decision_matched(d))
			printf("%s: %s %s in %s: %s\n", peerguard_decision_resource_id(d),
				peerguard_action_name(peerguard_decision_action(d)),
				peerguard_decision_api_call(d), peerguard_decision_region(d),
				peerguard_decision_reason(d));
	}
	for (size_t i = 0; i < peerguard_result_error_count(result); i++) {
		peerguard_result_error(result, i, &err);
		fprintf(stderr, "%s\n", err.message);
	}

	peerguard_result_free(result);
	peerguard_policy_set_free(set);
	return 0;
}
