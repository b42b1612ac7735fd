/*
 * kafka-mock: a throwaway Kafka cluster for tests, built on librdkafka's in-process mock cluster.
 *
 * Speaks the real Kafka protocol on loopback, so kafkajs (or any client) runs unchanged against it,
 * without a JVM or a container. Topics are created here because the mock does not serve CreateTopics
 * to kafkajs (it reports controller id 0). The first stdout line is the bootstrap server list; the
 * process lives until SIGTERM/SIGINT or until stdin reaches EOF, so a test runner that dies takes it down.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#define MAX_TOPICS 64
#define DEFAULT_PARTITIONS 3
/* Kafka's own default is 3000 ms per first join of a group; tests join groups often. */
#define DEFAULT_REBALANCE_DELAY_MS 300
/* LeaveGroup is API key 13. kafkajs 2.x sends v2 at most and logs an error when offered more. */
#define API_KEY_LEAVE_GROUP 13

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static void usage(FILE *out, const char *argv0) {
  fprintf(out,
          "Usage: %s [--brokers N] [--topic NAME[:PARTITIONS]]... [--rebalance-delay-ms MS] [--ignore-stdin]\n"
          "\n"
          "Starts a librdkafka mock Kafka cluster on loopback and prints its bootstrap\n"
          "servers (host:port,...) as the first line of stdout.\n"
          "Runs until SIGTERM/SIGINT or until stdin reaches EOF (unless --ignore-stdin).\n"
          "\n"
          "  --brokers N               number of mock brokers (default 1)\n"
          "  --topic NAME[:PARTITIONS] pre-create a topic (repeatable; default %d partitions,\n"
          "                            replication factor 1)\n"
          "  --rebalance-delay-ms MS   initial group rebalance delay (default %d)\n"
          "  --ignore-stdin            run until a signal only (for a broker started from a shell script)\n"
          "  --help                    show this help\n",
          argv0, DEFAULT_PARTITIONS, DEFAULT_REBALANCE_DELAY_MS);
}

/* Parses a positive int; returns -1 on anything else. */
static int parse_bounded(const char *text, long min) {
  char *end = NULL;
  errno = 0;
  long value = strtol(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0' || value < min || value > 100000) return -1;
  return (int)value;
}

static int parse_positive(const char *text) { return parse_bounded(text, 1); }

struct topic_spec {
  char name[250];
  int partitions;
};

static int parse_topic(const char *arg, struct topic_spec *spec) {
  const char *colon = strrchr(arg, ':');
  size_t name_len = colon ? (size_t)(colon - arg) : strlen(arg);
  if (name_len == 0 || name_len >= sizeof(spec->name)) return -1;
  memcpy(spec->name, arg, name_len);
  spec->name[name_len] = '\0';
  spec->partitions = DEFAULT_PARTITIONS;
  if (colon) {
    spec->partitions = parse_positive(colon + 1);
    if (spec->partitions < 0) return -1;
  }
  return 0;
}

/* Blocks until a stop signal or stdin EOF/error. Polls with a timeout so signals are seen promptly. */
static void wait_for_stop(int watch_stdin) {
  char buffer[256];
  while (!stop_requested) {
    struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
    int ready = poll(&pfd, watch_stdin ? 1 : 0, 200);
    if (ready < 0) {
      if (errno == EINTR) continue;
      watch_stdin = 0; /* cannot watch stdin; rely on signals */
      continue;
    }
    if (ready == 0 || !watch_stdin) continue;
    if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(STDIN_FILENO, buffer, sizeof(buffer));
      if (n == 0) return;                        /* EOF: the parent went away */
      if (n < 0 && errno != EINTR && errno != EAGAIN) return;
    }
    if (pfd.revents & POLLNVAL) watch_stdin = 0; /* stdin closed at start: signals only */
  }
}

int main(int argc, char **argv) {
  int brokers = 1;
  int rebalance_delay_ms = DEFAULT_REBALANCE_DELAY_MS;
  int watch_stdin = 1;
  struct topic_spec topics[MAX_TOPICS];
  int topic_count = 0;

  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      usage(stdout, argv[0]);
      return 0;
    } else if (!strcmp(argv[i], "--brokers") && i + 1 < argc) {
      brokers = parse_positive(argv[++i]);
      if (brokers < 0) {
        fprintf(stderr, "kafka-mock: invalid --brokers value \"%s\"\n", argv[i]);
        return 2;
      }
    } else if (!strcmp(argv[i], "--rebalance-delay-ms") && i + 1 < argc) {
      rebalance_delay_ms = parse_bounded(argv[++i], 0);
      if (rebalance_delay_ms < 0) {
        fprintf(stderr, "kafka-mock: invalid --rebalance-delay-ms value \"%s\"\n", argv[i]);
        return 2;
      }
    } else if (!strcmp(argv[i], "--ignore-stdin")) {
      watch_stdin = 0;
    } else if (!strcmp(argv[i], "--topic") && i + 1 < argc) {
      if (topic_count == MAX_TOPICS) {
        fprintf(stderr, "kafka-mock: at most %d topics\n", MAX_TOPICS);
        return 2;
      }
      if (parse_topic(argv[++i], &topics[topic_count]) != 0) {
        fprintf(stderr, "kafka-mock: invalid --topic value \"%s\"\n", argv[i]);
        return 2;
      }
      topic_count++;
    } else {
      fprintf(stderr, "kafka-mock: unknown or incomplete argument \"%s\"\n", argv[i]);
      usage(stderr, argv[0]);
      return 2;
    }
  }

  char errstr[512];
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  /* The mock cluster needs a client instance to own its threads; this producer never produces. */
  if (rd_kafka_conf_set(conf, "client.id", "kafka-mock", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "kafka-mock: config: %s\n", errstr);
    rd_kafka_conf_destroy(conf);
    return 1;
  }
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "kafka-mock: rd_kafka_new: %s\n", errstr);
    return 1; /* conf is owned by rd_kafka_new only on success */
  }

  rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mcluster) {
    fprintf(stderr, "kafka-mock: could not create the mock cluster\n");
    rd_kafka_destroy(rk);
    return 1;
  }

  rd_kafka_mock_group_initial_rebalance_delay_ms(mcluster, rebalance_delay_ms);
  rd_kafka_mock_set_apiversion(mcluster, API_KEY_LEAVE_GROUP, 0, 2);

  int status = 0;
  for (int i = 0; i < topic_count; i++) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster, topics[i].name, topics[i].partitions, 1);
    if (err) {
      fprintf(stderr, "kafka-mock: topic %s: %s\n", topics[i].name, rd_kafka_err2str(err));
      status = 1;
      break;
    }
  }

  if (status == 0) {
    struct sigaction action;
    memset(&action, 0, sizeof(action));
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    signal(SIGPIPE, SIG_IGN);

    printf("%s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
    fflush(stdout);
    wait_for_stop(watch_stdin);
  }

  rd_kafka_mock_cluster_destroy(mcluster);
  rd_kafka_destroy(rk);
  return status;
}
