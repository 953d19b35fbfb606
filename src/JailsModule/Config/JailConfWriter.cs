using System.Text;

namespace JailsModule.Config;

/// <summary>Renders values and names so that jail(8)'s lexer reads them back exactly (reference §2.1, §15.1–2).</summary>
public static class JailConfWriter
{
    /// <summary>
    /// A value as it should be written: bare when every character is an unquoted token character and the
    /// word holds no comment starter (<c>//</c>, <c>/*</c>); in single quotes when it contains <c>$</c> (so nothing
    /// expands); otherwise in double quotes. Inside quotes <c>\</c> and the quote character are escaped (escapes are
    /// processed inside single quotes too) and control characters are written as escapes. A NUL cannot be
    /// represented (jail(8) keeps C strings) and is refused.
    /// </summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.IndexOf('\0') >= 0) throw new ArgumentException("A jail.conf value cannot contain a NUL character.", nameof(value));
        if (IsBareValue(value)) return value;
        char q = value.IndexOf('$') >= 0 ? '\'' : '"';
        return Quoted(value, q);
    }

    /// <summary>
    /// A value whose jail.conf variable references (<c>$name</c>, <c>${name}</c>) jail(8) is to expand, as a user
    /// writes <c>mount += "devfs $path/compat/debian/dev devfs rw 0 0";</c>: without a <c>$</c> as <see cref="Quote"/>;
    /// with one, in double quotes with every complete reference kept (jaillex.l expands <c>$NAME</c> and <c>${...}</c>
    /// inside double quotes). Only what must be escaped there is: <c>\</c>, <c>"</c>, control characters, and a
    /// <c>$</c> that would open an unterminated <c>${</c> (written <c>\$</c>, a literal dollar). A <c>$</c> followed
    /// by anything else is literal to the lexer already.
    /// </summary>
    public static string QuoteExpanding(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.IndexOf('$') < 0) return Quote(value);
        if (value.IndexOf('\0') >= 0) throw new ArgumentException("A jail.conf value cannot contain a NUL character.", nameof(value));
        var q = Quoted(value, '"');
        var sb = new StringBuilder(q.Length + 4);
        for (int i = 0; i < q.Length; i++)
        {
            char c = q[i];
            if (c == '$' && i + 1 < q.Length && q[i + 1] == '{' && !ClosedReference(q, i + 2)) { sb.Append("\\$"); continue; }
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>jaillex.l's complete <c>${...}</c> inside double quotes: a '}' before any newline, '{' or unescaped '"'.</summary>
    private static bool ClosedReference(string quoted, int from)
    {
        for (int k = from; k < quoted.Length - 1; k++)
        {
            char c = quoted[k];
            if (c == '\\') { k++; continue; }
            if (c == '}') return true;
            if (c is '{' or '"' or '\n') return false;
        }
        return false;
    }

    /// <summary>The jail.conf variable references in a value as the lexer finds them ($name, ${name}); empty when none.</summary>
    public static IReadOnlyList<string> References(string value)
    {
        var list = new List<string>();
        for (int i = 0; i < value.Length - 1; i++)
        {
            if (value[i] != '$') continue;
            char n = value[i + 1];
            if (char.IsAsciiLetter(n) || n == '_')
            {
                int e = i + 2;
                while (e < value.Length && (char.IsAsciiLetterOrDigit(value[e]) || value[e] == '_')) e++;
                list.Add(value[i..e]);
                i = e - 1;
            }
            else if (n == '{')
            {
                int close = value.IndexOf('}', i + 2);
                if (close > i + 2) { list.Add(value[i..(close + 1)]); i = close; }
            }
        }
        return list;
    }

    /// <summary>A parameter or jail name: it must stay ONE token, so only a run of plain token characters
    /// (or a lone <c>*</c>) stays bare.</summary>
    public static string QuoteName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.IndexOf('\0') >= 0) throw new ArgumentException("A jail.conf name cannot contain a NUL character.", nameof(name));
        if (name == "*") return name;
        if (name.Length > 0)
        {
            bool bare = true;
            foreach (var c in name)
                if (!ConfLexer.IsAtomic(c)) { bare = false; break; }
            if (bare) return name;
        }
        return Quoted(name, name.IndexOf('$') >= 0 ? '\'' : '"');
    }

    private static bool IsBareValue(string v)
    {
        if (v.Length == 0) return false;
        for (int i = 0; i < v.Length; i++)
        {
            char c = v[i];
            if (ConfLexer.IsAtomic(c) || c == '*' || c == '+') continue;
            if (c == '/')
            {
                if (i + 1 < v.Length && (v[i + 1] == '/' || v[i + 1] == '*')) return false;
                continue;
            }
            return false;
        }
        return true;
    }

    private static string Quoted(string v, char q)
    {
        var sb = new StringBuilder(v.Length + 2);
        sb.Append(q);
        foreach (var c in v)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\t': sb.Append("\\t"); break;
                case '\r': sb.Append("\\r"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (c == q) sb.Append('\\').Append(c);
                    else if (c < ' ' || c == '\x7f') sb.Append('\\').Append(Convert.ToString(c, 8).PadLeft(3, '0'));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append(q);
        return sb.ToString();
    }

    /// <summary>One statement in house style: <c>name;</c>, <c>name = a, b;</c> or <c>name += a;</c>.</summary>
    /// <remarks><paramref name="expand"/>: values through <see cref="QuoteExpanding"/> (jail(8) expands their $references), else <see cref="Quote"/> (literal).</remarks>
    public static string Statement(string name, IReadOnlyList<string>? values, bool append = false, bool expand = false)
    {
        var sb = new StringBuilder();
        sb.Append(QuoteName(name));
        if (values is null)
        {
            if (append) throw new ArgumentException("An append needs at least one value.", nameof(values));
            return sb.Append(';').ToString();
        }
        if (values.Count == 0) throw new ArgumentException("A value list cannot be empty; use null for the valueless form.", nameof(values));
        sb.Append(append ? " += " : " = ");
        for (int i = 0; i < values.Count; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(expand ? QuoteExpanding(values[i]) : Quote(values[i]));
        }
        return sb.Append(';').ToString();
    }
}
