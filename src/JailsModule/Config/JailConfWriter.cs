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
    public static string Statement(string name, IReadOnlyList<string>? values, bool append = false)
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
            sb.Append(Quote(values[i]));
        }
        return sb.Append(';').ToString();
    }
}
