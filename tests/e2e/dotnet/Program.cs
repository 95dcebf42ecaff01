// A .NET peer for PipeScope's end-to-end tests, written to behave as the C#
// example of the concepts notes (a "PipesOfPiece" server that answers each
// line reversed through StreamReader/StreamWriter, and a client that sends
// lines and prints the answers), with .NET's own pipe options as switches.
//
// Every line it prints starts with a keyword the test scripts wait for:
//   temp-path PATH      what Path.GetTempPath() says (where .NET puts sockets)
//   created             the server's socket exists (after the constructor)
//   listening N         printed just before WaitForConnection blocks
//   connected N         a client is connected (server) / Connect returned
//   reply TEXT          the client's answer to one line
//   run-as-client ...   what the server's RunAsClient callback saw
//   exception TYPE: MSG anything .NET threw, so the tests can assert it
//
// Usage:
//   server NAME [--max-instances N] [--clients N] [--current-user-only]
//               [--message] [--run-as-client PROBE_FILE]
//   client NAME [--timeout MS] [--current-user-only] [--message]
//               [--impersonation LEVEL]
//   two-servers NAME     a second server with the same name in this process
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Pipes;
using System.Linq;
using System.Runtime.InteropServices;
using System.Security.Principal;
using System.Text;

namespace PipeScope.E2E
{
    internal static class Program
    {
        // Exit codes the scripts tell apart.
        private const int ExitUsage = 2;
        private const int ExitException = 3;
        private const int ExitTimeout = 4;
        private const int ExitServerClosed = 6;

        [DllImport("libc", SetLastError = true)]
        private static extern uint geteuid();

        private static int Main(string[] args)
        {
            if (args.Length < 2)
            {
                Console.Error.WriteLine("usage: PipePeer server|client|two-servers NAME [options]");
                return ExitUsage;
            }
            var options = new Options(args.Skip(2).ToArray());
            Console.WriteLine($"temp-path {Path.GetTempPath()}");
            try
            {
                return args[0] switch
                {
                    "server" => Server(args[1], options),
                    "client" => Client(args[1], options),
                    "two-servers" => TwoServers(args[1]),
                    _ => Usage(args[0]),
                };
            }
            catch (Exception e)
            {
                Report(e);
                return e is TimeoutException ? ExitTimeout : ExitException;
            }
        }

        private static int Usage(string role)
        {
            Console.Error.WriteLine($"unknown role '{role}'");
            return ExitUsage;
        }

        private static void Report(Exception e)
        {
            // One line: the scripts match on the type and the message.
            string message = e.Message.Replace('\n', ' ');
            Console.WriteLine($"exception {e.GetType().FullName}: {message}");
        }

        private static PipeOptions PipeOptionsOf(Options options) =>
            options.Has("--current-user-only") ? PipeOptions.CurrentUserOnly : PipeOptions.None;

        // The platform analyser knows that PipeTransmissionMode.Message is
        // Windows-only (CA1416); the tests ask for it on Unix on purpose, to
        // show what .NET does there.
#pragma warning disable CA1416
        private static PipeTransmissionMode ModeOf(Options options) =>
            options.Has("--message") ? PipeTransmissionMode.Message : PipeTransmissionMode.Byte;
#pragma warning restore CA1416

        /// <summary>The example's server: every line answered reversed. It
        /// serves clients one after another (--clients N, or until killed),
        /// so that a connection that sends nothing does not end it.</summary>
        private static int Server(string name, Options options)
        {
            int maxInstances = options.Int("--max-instances", NamedPipeServerStream.MaxAllowedServerInstances);
            int clients = options.Int("--clients", int.MaxValue);
            using var server = new NamedPipeServerStream(name, PipeDirection.InOut, maxInstances,
                                                         ModeOf(options), PipeOptionsOf(options));
            Console.WriteLine("created");
            for (int n = 1; n <= clients; n++)
            {
                Console.WriteLine($"listening {n}");
                try
                {
                    server.WaitForConnection();
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                {
                    // CurrentUserOnly refuses a client of another user here;
                    // the server goes on waiting for the next one.
                    Report(e);
                    continue;
                }
                Console.WriteLine($"connected {n}");
                string? probe = options.Value("--run-as-client");
                if (probe != null)
                {
                    RunAsClient(server, probe);
                }
                AnswerReversed(server);
                if (server.IsConnected)
                {
                    server.Disconnect();
                }
                Console.WriteLine($"disconnected {n}");
            }
            return 0;
        }

        private static void RunAsClient(NamedPipeServerStream server, string probe)
        {
            Console.WriteLine($"impersonation-user {server.GetImpersonationUserName()}");
            uint before = geteuid();
            try
            {
                server.RunAsClient(() =>
                {
                    Console.WriteLine($"run-as-client euid {geteuid()} user {Environment.UserName} " +
                                      $"probe {Probe(probe)} threads-as-client {ThreadsWithEuid(geteuid())}");
                });
            }
            catch (Exception e)
            {
                Report(e);
            }
            Console.WriteLine($"after-run-as-client euid {geteuid()} (before {before})");
        }

        /// <summary>"K/N": how many of this process's N threads have the
        /// effective uid given, from /proc/self/task/*/status ("Uid: real
        /// effective saved fs"). Shows whether an identity change was made for
        /// one thread or for the whole process.</summary>
        private static string ThreadsWithEuid(uint euid)
        {
            int total = 0, matching = 0;
            foreach (string task in Directory.GetDirectories("/proc/self/task"))
            {
                string? uidLine = File.ReadLines(Path.Combine(task, "status"))
                                      .FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
                if (uidLine == null)
                {
                    continue;
                }
                string[] ids = uidLine.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                total++;
                if (ids.Length > 2 && ids[2] == euid.ToString())
                {
                    matching++;
                }
            }
            return $"{matching}/{total}";
        }

        private static string Probe(string path)
        {
            try
            {
                using FileStream file = File.OpenRead(path);
                return "granted";
            }
            catch (UnauthorizedAccessException)
            {
                return "denied";
            }
        }

        private static void AnswerReversed(NamedPipeServerStream server)
        {
            using var reader = new StreamReader(server, new UTF8Encoding(false), false, 1024, leaveOpen: true);
            using var writer = new StreamWriter(server, new UTF8Encoding(false), 1024, leaveOpen: true);
            try
            {
                string? line;
                while ((line = reader.ReadLine()) != null)
                {
                    writer.WriteLine(string.Join("", line.Reverse()));
                    writer.Flush();
                }
            }
            catch (IOException e)
            {
                // The client went away while an answer was on its way.
                Report(e);
            }
        }

        /// <summary>The example's client: each line of standard input is sent,
        /// the answer printed; an empty line or the end of input ends it.</summary>
        private static int Client(string name, Options options)
        {
            var level = Enum.Parse<TokenImpersonationLevel>(options.Value("--impersonation") ?? "Identification");
            using var client = new NamedPipeClientStream(".", name, PipeDirection.InOut, PipeOptionsOf(options), level);
            int timeout = options.Int("--timeout", -1);
            var watch = Stopwatch.StartNew();
            try
            {
                if (timeout >= 0)
                {
                    client.Connect(timeout);
                }
                else
                {
                    client.Connect();
                }
            }
            catch (TimeoutException e)
            {
                Report(e);
                Console.WriteLine($"waited-ms {watch.ElapsedMilliseconds}");
                return ExitTimeout;
            }
            Console.WriteLine("connected 1");
            if (options.Has("--message"))
            {
#pragma warning disable CA1416 // on purpose, as in ModeOf
                client.ReadMode = PipeTransmissionMode.Message;
#pragma warning restore CA1416
            }
            using var reader = new StreamReader(client, new UTF8Encoding(false), false, 1024, leaveOpen: true);
            using var writer = new StreamWriter(client, new UTF8Encoding(false), 1024, leaveOpen: true);
            string? input;
            while (!string.IsNullOrEmpty(input = Console.ReadLine()))
            {
                writer.WriteLine(input);
                writer.Flush();
                string? reply = reader.ReadLine();
                if (reply == null)
                {
                    Console.WriteLine("server-closed");
                    return ExitServerClosed;
                }
                Console.WriteLine($"reply {reply}");
            }
            Console.WriteLine("done");
            return 0;
        }

        /// <summary>maxNumberOfServerInstances 1, then a second server of the
        /// same name in the same process: what .NET's own bookkeeping says.</summary>
        private static int TwoServers(string name)
        {
            using var first = new NamedPipeServerStream(name, PipeDirection.InOut, 1);
            Console.WriteLine("created");
            try
            {
                using var second = new NamedPipeServerStream(name, PipeDirection.InOut, 1);
                Console.WriteLine("second-created");
            }
            catch (Exception e)
            {
                Report(e);
            }
            return 0;
        }
    }

    /// <summary>"--flag" and "--key value" arguments.</summary>
    internal sealed class Options
    {
        private readonly Dictionary<string, string?> values = new Dictionary<string, string?>();

        public Options(string[] args)
        {
            for (int i = 0; i < args.Length; i++)
            {
                bool hasValue = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
                values[args[i]] = hasValue ? args[++i] : null;
            }
        }

        public bool Has(string key) => values.ContainsKey(key);

        public string? Value(string key) => values.TryGetValue(key, out string? v) ? v : null;

        public int Int(string key, int fallback) => Value(key) is string v ? int.Parse(v) : fallback;
    }
}
