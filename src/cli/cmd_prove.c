/* cmd_prove.c — `constat prove inclusion|consistency` (RFC 9162 2.1.3, 2.1.4). */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static void print_proof(const constat_proof *p, int json)
{
    for (size_t i = 0; i < p->n; i++) {
        if (json)
            fputs(i ? ",\"" : "\"", stdout);
        cli_print_b64(stdout, p->hash[i], 32);
        fputs(json ? "\"" : "\n", stdout);
    }
}

int cmd_prove(int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"size", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0}};
    const char *dir = NULL, *size_arg = NULL;
    int json = 0, c, rc;
    constat_vault *v;
    constat_error err;
    constat_status st;
    constat_proof proof;
    uint8_t root[32];

    /* "-1" would reach getopt as an option ("invalid option -- '1'") */
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (argv[i][0] == '-' && isdigit((unsigned char)argv[i][1])) {
            fprintf(stderr, "constat: prove: '%s' is negative: leaf indexes and tree sizes are "
                            "non-negative integers (the first leaf is 0)\n", cli_text(argv[i]));
            return CLI_EXIT_USAGE;
        }
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 's': size_arg = optarg; break;
        case 'j': json = 1; break;
        default: return cli_usage("prove");
        }
    }
    if (optind >= argc)
        return cli_usage("prove");
    constat_error_clear(&err);
    if (strcmp(argv[optind], "inclusion") == 0) {
        uint64_t index, size;
        constat_buf leaf;
        uint8_t lh[32];
        if (optind + 2 != argc)
            return cli_usage("prove");
        if ((rc = cli_parse_u64("INDEX", argv[optind + 1], &index)) != 0)
            return rc;
        if ((rc = cli_open_vault_public(cli_vault_dir(dir), &v)) != 0)
            return rc;
        size = constat_vault_size(v);
        if (size_arg && (rc = cli_parse_u64("--size", size_arg, &size)) != 0) {
            constat_vault_close(v);
            return rc;
        }
        if (index >= constat_vault_size(v)) {
            uint64_t n = constat_vault_size(v);
            constat_vault_close(v);
            if (n == 0)
                fprintf(stderr, "constat: prove inclusion: no leaf %llu: the log is empty\n",
                        (unsigned long long)index);
            else
                fprintf(stderr, "constat: prove inclusion: no leaf %llu: the log has %llu "
                                "leaves (0 to %llu)\n", (unsigned long long)index,
                        (unsigned long long)n, (unsigned long long)(n - 1));
            return CLI_EXIT_USAGE;
        }
        constat_buf_init(&leaf);
        st = constat_vault_leaf(v, index, &leaf, &err);
        if (st == CONSTAT_OK)
            st = constat_vault_prove_inclusion(v, index, size, &proof, &err);
        if (st == CONSTAT_OK)
            st = constat_vault_root(v, size, root, &err);
        constat_vault_close(v);
        if (st != CONSTAT_OK) {
            constat_buf_free(&leaf);
            return cli_report_error("prove inclusion", st, &err);
        }
        constat_merkle_leaf_hash(leaf.data, leaf.len, lh);
        constat_buf_free(&leaf);
        if (json) {
            printf("{\"index\":%llu,\"tree_size\":%llu,\"leaf_hash\":\"",
                   (unsigned long long)index, (unsigned long long)size);
            cli_print_b64(stdout, lh, 32);
            fputs("\",\"root\":\"", stdout);
            cli_print_b64(stdout, root, 32);
            fputs("\",\"proof\":[", stdout);
            print_proof(&proof, 1);
            fputs("]}\n", stdout);
        } else {
            printf("index %llu\ntree size %llu\nleaf hash ", (unsigned long long)index,
                   (unsigned long long)size);
            cli_print_b64(stdout, lh, 32);
            fputs("\nroot ", stdout);
            cli_print_b64(stdout, root, 32);
            printf("\nproof (%zu hashes):\n", proof.n);
            print_proof(&proof, 0);
        }
        return cli_finish_stdout(0);
    }
    if (strcmp(argv[optind], "consistency") == 0) {
        uint64_t s1, s2;
        uint8_t root1[32];
        if (optind + 3 != argc)
            return cli_usage("prove");
        if ((rc = cli_parse_u64("OLD", argv[optind + 1], &s1)) != 0 ||
            (rc = cli_parse_u64("NEW", argv[optind + 2], &s2)) != 0)
            return rc;
        if ((rc = cli_open_vault_public(cli_vault_dir(dir), &v)) != 0)
            return rc;
        st = constat_vault_prove_consistency(v, s1, s2, &proof, &err);
        if (st == CONSTAT_OK)
            st = constat_vault_root(v, s1, root1, &err);
        if (st == CONSTAT_OK)
            st = constat_vault_root(v, s2, root, &err);
        constat_vault_close(v);
        if (st != CONSTAT_OK)
            return cli_report_error("prove consistency", st, &err);
        if (json) {
            printf("{\"size1\":%llu,\"size2\":%llu,\"root1\":\"", (unsigned long long)s1,
                   (unsigned long long)s2);
            cli_print_b64(stdout, root1, 32);
            fputs("\",\"root2\":\"", stdout);
            cli_print_b64(stdout, root, 32);
            fputs("\",\"proof\":[", stdout);
            print_proof(&proof, 1);
            fputs("]}\n", stdout);
        } else {
            printf("old size %llu\nold root ", (unsigned long long)s1);
            cli_print_b64(stdout, root1, 32);
            printf("\nnew size %llu\nnew root ", (unsigned long long)s2);
            cli_print_b64(stdout, root, 32);
            printf("\nproof (%zu hashes):\n", proof.n);
            print_proof(&proof, 0);
        }
        return cli_finish_stdout(0);
    }
    return cli_usage("prove");
}
