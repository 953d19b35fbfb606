#requires -Version 7.4
<#
.SYNOPSIS
    Generates MAML help (JailsModule.dll-Help.xml) and about_*.help.txt topics for JailsModule.
.DESCRIPTION
    platyPS is not available, so this script does its job:
      * the cmdlet metadata (parameter sets, types, positions, Mandatory, pipeline input, wildcard
        support, aliases, ShouldProcess) is read by loading the BUILT module in a child pwsh, so the
        SYNTAX blocks and parameter attributes of the help cannot drift from the code;
      * descriptions, examples, inputs, outputs, notes and links come from docs/help/Verb-Noun.md
        (platyPS markdown schema 2.0.0);
      * docs/help/about_*.md become about_*.help.txt.
    It throws (listing every problem) when an exported cmdlet has no markdown, a markdown file has
    no matching cmdlet, a markdown documents a parameter the cmdlet does not have, a parameter is
    undocumented, a section is empty or still a {{ placeholder }}, or there are fewer than 2 examples.
    Disagreements between a parameter's yaml block and the metadata are reported as warnings (the
    metadata wins); -UpdateMarkdown rewrites the SYNTAX and yaml blocks of the markdown from the
    metadata, like platyPS's Update-MarkdownHelp.
.EXAMPLE
    ./build/New-MamlHelp.ps1 -ModulePath out/JailsModule -DocsPath docs/help -OutputPath out/JailsModule/en-US
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DocsPath,
    [Parameter(Mandatory)] [string] $OutputPath,
    # Rewrite the SYNTAX and parameter yaml blocks of the markdown from the metadata, then generate.
    [switch] $UpdateMarkdown
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$ModulePath = (Resolve-Path $ModulePath).ProviderPath
$DocsPath = (Resolve-Path $DocsPath).ProviderPath
$OutputPath = (New-Item -ItemType Directory -Force -Path $OutputPath).FullName

# Parameters every cmdlet has; documented by "### CommonParameters", never one by one.
$script:CommonNames = @('Verbose', 'Debug', 'ErrorAction', 'WarningAction', 'InformationAction', 'ProgressAction',
    'ErrorVariable', 'WarningVariable', 'InformationVariable', 'OutVariable', 'OutBuffer', 'PipelineVariable', 'UseTransaction')
# Added by SupportsShouldProcess: documented in the markdown when the author wants, else a standard text.
$script:ShouldProcessText = @{
    WhatIf  = 'Shows what would happen if the cmdlet runs, including the exact native commands, without running anything.'
    Confirm = 'Prompts you for confirmation before running the cmdlet.'
}

#region metadata (child pwsh)

. (Join-Path $PSScriptRoot 'Get-PwshCommand.ps1')

# Runs in the child: imports the built module and prints its cmdlets' metadata as JSON.
$script:MetadataScript = {
    $ErrorActionPreference = 'Stop'
    $manifest = Get-ChildItem -Path $env:JAILSMODULE_MAML_MODULE -Filter '*.psd1' | Select-Object -First 1
    $module = Import-Module $manifest.FullName -PassThru -Force
    $skip = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
    # The type as platyPS shows it: Int32 for Nullable<Int32>, Dictionary[String,Object] for generics.
    function Get-TypeText([type] $t) {
        $u = [Nullable]::GetUnderlyingType($t)
        if ($u) { return Get-TypeText $u }
        if ($t.IsArray) { return (Get-TypeText $t.GetElementType()) + '[]' }
        if ($t.IsGenericType) { return ($t.Name -replace '`\d+$', '') + '[' + (($t.GetGenericArguments() | ForEach-Object { Get-TypeText $_ }) -join ',') + ']' }
        return $t.Name
    }
    $result = foreach ($cmd in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
        $cmdletAttr = $cmd.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true) | Select-Object -First 1
        $params = foreach ($p in $cmd.Parameters.Values | Where-Object { $_.Name -notin $skip }) {
            [ordered]@{
                Name      = $p.Name
                Type      = Get-TypeText $p.ParameterType
                FullType  = $p.ParameterType.FullName
                Values    = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | ForEach-Object ValidValues)
                IsSwitch  = $p.SwitchParameter
                Aliases   = @($p.Aliases)
                Wildcards = [bool]@($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count
                Sets      = @($p.ParameterSets.Keys)
            }
        }
        $sets = foreach ($s in $cmd.ParameterSets) {
            [ordered]@{
                Name       = $s.Name
                IsDefault  = $s.IsDefault
                Parameters = @(foreach ($p in $s.Parameters | Where-Object { $_.Name -notin $skip }) {
                        [ordered]@{
                            Name                = $p.Name
                            Mandatory           = $p.IsMandatory
                            Position            = $p.Position
                            ByValue             = $p.ValueFromPipeline
                            ByPropertyName      = $p.ValueFromPipelineByPropertyName
                            RemainingArguments  = $p.ValueFromRemainingArguments
                        }
                    })
            }
        }
        [ordered]@{
            Name                  = $cmd.Name
            Verb                  = $cmd.Verb
            Noun                  = $cmd.Noun
            HelpFile              = $cmd.HelpFile
            SupportsShouldProcess = [bool]$cmdletAttr.SupportsShouldProcess
            OutputType            = @($cmd.OutputType | ForEach-Object Name)
            Parameters            = @($params)
            ParameterSets         = @($sets)
            CommonParameters      = @($cmd.Parameters.Keys | Where-Object { $_ -in $skip })
        }
    }
    ConvertTo-Json -InputObject @($result) -Depth 8 -Compress
}

function Get-CmdletMetadata {
    param([string] $Path)
    $pwsh = @(Get-PwshCommand)
    # -EncodedCommand: the script reaches the child intact whatever quoting rules the platform has.
    $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($script:MetadataScript.ToString()))
    $rest = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
    $env:JAILSMODULE_MAML_MODULE = $Path
    try {
        $json = & $pwsh[0] @rest
        if ($LASTEXITCODE -ne 0) { throw "Loading the module from $Path in a child pwsh failed (exit $LASTEXITCODE): $json" }
    }
    finally {
        Remove-Item Env:JAILSMODULE_MAML_MODULE -ErrorAction SilentlyContinue
    }
    return @(($json -join "`n") | ConvertFrom-Json)
}

#endregion

#region markdown

# Splits markdown into (level, title, lines) sections; headings inside ``` fences are text.
function Split-MarkdownSection {
    param([string[]] $Lines, [int] $Level)
    $prefix = ('#' * $Level) + ' '
    $sections = [System.Collections.Generic.List[object]]::new()
    $current = [pscustomobject]@{ Title = ''; Lines = [System.Collections.Generic.List[string]]::new() }
    $inFence = $false
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') { $inFence = -not $inFence }
        if (-not $inFence -and $line.StartsWith($prefix)) {
            $sections.Add($current)
            $current = [pscustomobject]@{ Title = $line.Substring($prefix.Length).Trim(); Lines = [System.Collections.Generic.List[string]]::new() }
            continue
        }
        $current.Lines.Add($line)
    }
    $sections.Add($current)
    return $sections
}

# Plain text from inline markdown: `code` and **bold** lose their marks, [text](link) becomes "text (link)".
function ConvertFrom-InlineMarkdown {
    param([string] $Line)
    $Line -replace '`([^`]+)`', '$1' -replace '\*\*([^*]+)\*\*', '$1' -replace '\[([^\]]+)\]\(([^)]+)\)', '$1 ($2)'
}

# Markdown text to paragraphs: blank lines separate; lists, tables and code keep their line breaks.
function ConvertTo-Paragraph {
    param([string[]] $Lines)
    $paras = [System.Collections.Generic.List[string]]::new()
    $block = [System.Collections.Generic.List[string]]::new()
    $inFence = $false
    $flush = {
        if ($block.Count -eq 0) { return }
        $structured = @($block | Where-Object { $_ -match '^\s*([-*+]\s|\d+\.\s|\||    )' }).Count -gt 0
        $text = if ($structured) { $block -join "`n" } else { ($block | ForEach-Object Trim) -join ' ' }
        $paras.Add($text)
        $block.Clear()
    }
    foreach ($line in $Lines) {
        if ($line -match '^\s*```') {
            if ($inFence) { $paras.Add(($block -join "`n")); $block.Clear(); $inFence = $false }
            else { & $flush; $inFence = $true }
            continue
        }
        if ($inFence) { $block.Add($line); continue }
        if ($line.Trim().Length -eq 0) { & $flush; continue }
        $block.Add((ConvertFrom-InlineMarkdown $line))
    }
    & $flush
    return @($paras)
}

function Get-FencedBlock {
    param([string[]] $Lines)
    $blocks = [System.Collections.Generic.List[object]]::new()
    $inFence = $false; $lang = ''; $buf = $null
    $outside = [System.Collections.Generic.List[string]]::new()
    foreach ($line in $Lines) {
        if ($line -match '^\s*```(\w*)') {
            if ($inFence) { $blocks.Add([pscustomobject]@{ Language = $lang; Text = ($buf -join "`n") }); $inFence = $false }
            else { $inFence = $true; $lang = $Matches[1]; $buf = [System.Collections.Generic.List[string]]::new() }
            continue
        }
        if ($inFence) { $buf.Add($line) } else { $outside.Add($line) }
    }
    return [pscustomobject]@{ Blocks = @($blocks); Text = @($outside) }
}

function Test-Placeholder {
    param([string[]] $Text)
    return ($Text -join ' ') -match '\{\{.*\}\}'
}

function Read-CommandMarkdown {
    param([string] $Path)
    $all = [System.IO.File]::ReadAllLines($Path)
    $problems = [System.Collections.Generic.List[string]]::new()
    $name = [System.IO.Path]::GetFileNameWithoutExtension($Path)
    $front = ''
    $body = $all
    if ($all.Count -gt 0 -and $all[0] -eq '---') {
        $end = [array]::IndexOf($all, '---', 1)
        if ($end -lt 0) { $problems.Add("$name.md: the YAML front matter is not closed with '---'."); $end = 0 }
        $front = $all[1..($end - 1)] -join "`n"
        foreach ($key in 'external help file', 'Module Name', 'schema') {
            if ($front -notmatch "(?m)^$([regex]::Escape($key)):") { $problems.Add("$name.md: front matter lacks '${key}:'.") }
        }
        $body = if ($end + 1 -lt $all.Count) { $all[($end + 1)..($all.Count - 1)] } else { @() }
    }
    else { $problems.Add("$name.md: no YAML front matter (external help file, Module Name, online version, schema).") }

    $top = Split-MarkdownSection -Lines $body -Level 1
    if (-not ($top | Where-Object Title -EQ $name)) { $problems.Add("$name.md: the title must be '# $name'.") }
    $sec = @{}
    foreach ($t in $top | Where-Object Title -EQ $name) {
        foreach ($s in Split-MarkdownSection -Lines $t.Lines -Level 2) { if ($s.Title) { $sec[$s.Title.ToUpperInvariant()] = $s.Lines } }
    }
    $doc = [ordered]@{
        Name = $name; Path = $Path; Problems = $problems
        Synopsis = @(); Description = @(); Examples = @(); Parameters = [ordered]@{}; CommonParameters = $false
        Inputs = @(); Outputs = @(); Notes = @(); Links = @(); Lines = $all
    }
    foreach ($required in 'SYNOPSIS', 'SYNTAX', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS', 'INPUTS', 'OUTPUTS', 'NOTES', 'RELATED LINKS') {
        if (-not $sec.ContainsKey($required)) { $problems.Add("$name.md: section '## $required' is missing.") }
    }
    foreach ($k in 'SYNOPSIS', 'DESCRIPTION') {
        if (-not $sec.ContainsKey($k)) { continue }
        $paras = @(ConvertTo-Paragraph $sec[$k])
        if ($paras.Count -eq 0) { $problems.Add("$name.md: '## $k' is empty.") }
        elseif (Test-Placeholder $paras) { $problems.Add("$name.md: '## $k' still holds a {{ placeholder }}.") }
        $doc[$k.Substring(0, 1) + $k.Substring(1).ToLowerInvariant()] = $paras
    }
    if ($sec.ContainsKey('EXAMPLES')) {
        foreach ($ex in Split-MarkdownSection -Lines $sec['EXAMPLES'] -Level 3 | Where-Object Title) {
            $f = Get-FencedBlock $ex.Lines
            $code = @($f.Blocks | ForEach-Object Text)
            # Text before the first fence is the introduction, text after it the remarks.
            $first = [array]::FindIndex([string[]]$ex.Lines, [Predicate[string]] { param($l) $l -match '^\s*```' })
            $intro = if ($first -gt 0) { @(ConvertTo-Paragraph $ex.Lines[0..($first - 1)]) } else { @() }
            $remarks = @(ConvertTo-Paragraph (Get-FencedBlock ($ex.Lines | Select-Object -Skip ([Math]::Max($first, 0)))).Text)
            if ($code.Count -eq 0) { $problems.Add("$name.md: '$($ex.Title)' has no code block.") }
            if ($remarks.Count -eq 0 -and $intro.Count -eq 0) { $problems.Add("$name.md: '$($ex.Title)' has no sentence explaining it.") }
            if (Test-Placeholder ($code + $remarks)) { $problems.Add("$name.md: '$($ex.Title)' still holds a {{ placeholder }}.") }
            $doc.Examples += [pscustomobject]@{ Title = $ex.Title; Introduction = @($intro); Code = ($code -join "`n`n"); Remarks = @($remarks) }
        }
    }
    if ($sec.ContainsKey('PARAMETERS')) {
        foreach ($p in Split-MarkdownSection -Lines $sec['PARAMETERS'] -Level 3 | Where-Object Title) {
            if ($p.Title -eq 'CommonParameters') { $doc.CommonParameters = $true; continue }
            if ($p.Title -notmatch '^-(\w+)$') { $problems.Add("$name.md: parameter heading '### $($p.Title)' is not '### -Name'."); continue }
            $pn = $Matches[1]
            $f = Get-FencedBlock $p.Lines
            $yaml = @{}
            foreach ($b in $f.Blocks | Where-Object Language -EQ 'yaml') {
                foreach ($l in $b.Text -split "`n") { if ($l -match '^([^:]+):\s*(.*)$') { $yaml[$Matches[1].Trim()] = $Matches[2].Trim() } }
            }
            $desc = @(ConvertTo-Paragraph $f.Text)
            if ($desc.Count -eq 0 -or (Test-Placeholder $desc)) { $problems.Add("$name.md: parameter -$pn has no description.") }
            if ($yaml.Count -eq 0) { $problems.Add("$name.md: parameter -$pn has no yaml block.") }
            $doc.Parameters[$pn] = [pscustomobject]@{ Name = $pn; Description = @($desc); Yaml = $yaml }
        }
    }
    foreach ($kind in 'INPUTS', 'OUTPUTS') {
        if (-not $sec.ContainsKey($kind)) { continue }
        $items = foreach ($t in Split-MarkdownSection -Lines $sec[$kind] -Level 3 | Where-Object Title) {
            [pscustomobject]@{ Type = $t.Title; Description = @(ConvertTo-Paragraph $t.Lines) }
        }
        if (-not $items) { $problems.Add("$name.md: '## $kind' lists no type ('### Type.Name', or '### None').") }
        $doc[$kind.Substring(0, 1) + $kind.Substring(1).ToLowerInvariant()] = @($items)
    }
    if ($sec.ContainsKey('NOTES')) { $doc.Notes = @(ConvertTo-Paragraph $sec['NOTES']) }
    if ($sec.ContainsKey('RELATED LINKS')) {
        $doc.Links = @(foreach ($l in $sec['RELATED LINKS']) {
                if ($l -match '\[([^\]]+)\]\(([^)]*)\)') {
                    $text = $Matches[1]; $uri = $Matches[2]
                    # Links to other markdown files name a help topic; only web addresses are URIs.
                    [pscustomobject]@{ Text = $text; Uri = $(if ($uri -match '^https?://') { $uri } else { '' }) }
                }
            })
    }
    if ($front -match '(?m)^online version:[ \t]*(\S+)') { $doc.Links = @([pscustomobject]@{ Text = 'Online Version:'; Uri = $Matches[1] }) + $doc.Links }
    return [pscustomobject]$doc
}

#endregion

#region metadata as platyPS shows it

function Get-PositionText { param($Position) if ($Position -lt 0) { 'Named' } else { "$Position" } }

function Get-PipelineText {
    param($ByValue, $ByPropertyName)
    $kinds = @(); if ($ByPropertyName) { $kinds += 'ByPropertyName' }; if ($ByValue) { $kinds += 'ByValue' }
    if ($kinds) { "True ($($kinds -join ', '))" } else { 'False' }
}

# What platyPS's yaml block says for a parameter, from the metadata (used to check and to -UpdateMarkdown).
function Get-ParameterYaml {
    param($Command, $Parameter, [string] $Default)
    $inSets = @($Command.ParameterSets | Where-Object { @($_.Parameters | ForEach-Object Name) -contains $Parameter.Name })
    $rows = @(foreach ($s in $inSets) { $s.Parameters | Where-Object Name -EQ $Parameter.Name | Select-Object -First 1 })
    $setText = if ($inSets.Count -eq @($Command.ParameterSets).Count -and $inSets.Count -gt 0 -and
        @($rows | Select-Object Mandatory, Position, ByValue, ByPropertyName -Unique).Count -eq 1) { '(All)' } else { (@($inSets | ForEach-Object Name) -join ', ') }
    $anyMandatory = @($rows | Where-Object Mandatory).Count -gt 0
    $positions = @($rows | ForEach-Object { Get-PositionText $_.Position } | Select-Object -Unique)
    [ordered]@{
        'Type'                       = $Parameter.Type
        'Parameter Sets'             = $setText
        'Aliases'                    = ($Parameter.Aliases -join ', ')
        'Accepted values'            = ($Parameter.Values -join ', ')
        'Required'                   = $(
            $mand = @(foreach ($s in $inSets) { if (@($s.Parameters | Where-Object { $_.Name -eq $Parameter.Name -and $_.Mandatory }).Count) { $s.Name } })
            if ($mand.Count -eq 0) { 'False' } elseif ($mand.Count -eq $inSets.Count) { 'True' }
            else { "True ($($mand -join ', ')), False ($((@($inSets | ForEach-Object Name | Where-Object { $_ -notin $mand })) -join ', '))" })
        'Position'                   = ($positions -join ', ')
        'Default value'              = $(if ($Default) { $Default } elseif ($Parameter.IsSwitch) { 'False' } else { 'None' })
        'Accept pipeline input'      = (Get-PipelineText (@($rows | Where-Object ByValue).Count -gt 0) (@($rows | Where-Object ByPropertyName).Count -gt 0))
        'Accept wildcard characters' = $(if ($Parameter.Wildcards) { 'True' } else { 'False' })
    }
}

# One syntax line per parameter set, ordered like PowerShell's own: positional, then mandatory, then the rest.
function Get-SyntaxLine {
    param($Command, $Set)
    $byName = @{}; foreach ($p in $Command.Parameters) { $byName[$p.Name] = $p }
    $ordered = @($Set.Parameters | Where-Object { $byName.ContainsKey($_.Name) } |
            Sort-Object @{ Expression = { if ($_.Position -ge 0) { 0 } elseif ($_.Mandatory) { 1 } else { 2 } } }, @{ Expression = { if ($_.Position -ge 0) { $_.Position } else { 0 } } })
    $parts = foreach ($r in $ordered) {
        $p = $byName[$r.Name]
        $nameText = if ($r.Position -ge 0) { "[-$($p.Name)]" } else { "-$($p.Name)" }
        $value = if (@($p.Values).Count) { '{' + (@($p.Values) -join ' | ') + '}' } else { "<$($p.Type)>" }
        $text = if ($p.IsSwitch) { "-$($p.Name)" } else { "$nameText $value" }
        if ($r.Mandatory) { $text } else { "[$text]" }
    }
    $extra = @(); if ($Command.SupportsShouldProcess) { $extra = '[-WhatIf]', '[-Confirm]' }
    # Wrapped like platyPS: lines of at most 110 characters, continuation lines start with a space.
    $lines = [System.Collections.Generic.List[string]]::new()
    $line = $Command.Name
    foreach ($token in @($parts) + $extra + '[<CommonParameters>]') {
        if (($line.Length + 1 + $token.Length) -gt 110) { $lines.Add($line); $line = " $token" }
        else { $line = "$line $token" }
    }
    $lines.Add($line)
    return $lines -join "`n"
}

#endregion

#region MAML

$script:NsMaml = 'http://schemas.microsoft.com/maml/2004/10'
$script:NsCommand = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
$script:NsDev = 'http://schemas.microsoft.com/maml/dev/2004/10'

function Write-Para {
    param([System.Xml.XmlWriter] $W, [string[]] $Paragraphs)
    $W.WriteStartElement('maml', 'description', $script:NsMaml)
    foreach ($p in @($Paragraphs)) { $W.WriteElementString('maml', 'para', $script:NsMaml, $p) }
    if (@($Paragraphs).Count -eq 0) { $W.WriteElementString('maml', 'para', $script:NsMaml, '') }
    $W.WriteEndElement()
}

function Write-MamlParameter {
    # -InSyntax: a syntax item, where ValidateSet values are listed (Get-Help shows {A | B}); the
    # -Parameter view of Get-Help cannot render that group, so command:parameters leaves it out, like platyPS.
    param([System.Xml.XmlWriter] $W, $Parameter, $Row, [string[]] $Description, [string] $Default, [switch] $InSyntax)
    $W.WriteStartElement('command', 'parameter', $script:NsCommand)
    $W.WriteAttributeString('required', $(if ($Row.Mandatory) { 'true' } else { 'false' }))
    $W.WriteAttributeString('variableLength', $(if ($Parameter.Type.EndsWith('[]')) { 'true' } else { 'false' }))
    $W.WriteAttributeString('globbing', $(if ($Parameter.Wildcards) { 'true' } else { 'false' }))
    $W.WriteAttributeString('pipelineInput', (Get-PipelineText $Row.ByValue $Row.ByPropertyName))
    $W.WriteAttributeString('position', $(if ($Row.Position -ge 0) { "$($Row.Position)" } else { 'named' }))
    $W.WriteAttributeString('aliases', $(if ($Parameter.Aliases) { $Parameter.Aliases -join ', ' } else { 'none' }))
    $W.WriteElementString('maml', 'name', $script:NsMaml, $Parameter.Name)
    Write-Para $W $Description
    $values = @(if ($InSyntax -and $Parameter.PSObject.Properties['Values']) { $Parameter.Values })
    if ($values.Count) {
        $W.WriteStartElement('command', 'parameterValueGroup', $script:NsCommand)
        foreach ($v in $values) {
            $W.WriteStartElement('command', 'parameterValue', $script:NsCommand)
            $W.WriteAttributeString('required', 'false')
            $W.WriteAttributeString('command', 'variableLength', $script:NsCommand, 'false')
            $W.WriteString($v)
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }
    if (-not $Parameter.IsSwitch) {
        $W.WriteStartElement('command', 'parameterValue', $script:NsCommand)
        $W.WriteAttributeString('required', 'true')
        $W.WriteAttributeString('variableLength', 'false')
        $W.WriteString($Parameter.Type)
        $W.WriteEndElement()
    }
    $W.WriteStartElement('dev', 'type', $script:NsDev)
    $W.WriteElementString('maml', 'name', $script:NsMaml, $Parameter.Type)
    $W.WriteElementString('maml', 'uri', $script:NsMaml, '')
    $W.WriteEndElement()
    $W.WriteElementString('dev', 'defaultValue', $script:NsDev, $Default)
    $W.WriteEndElement()
}

function Write-MamlCommand {
    param([System.Xml.XmlWriter] $W, $Command, $Doc)
    # Parameter list with descriptions: the markdown's, or the standard text for WhatIf/Confirm.
    $params = [System.Collections.Generic.List[object]]::new()
    foreach ($p in $Command.Parameters) { $params.Add($p) }
    if ($Command.SupportsShouldProcess) {
        $params.Add([pscustomobject]@{ Name = 'WhatIf'; Type = 'SwitchParameter'; IsSwitch = $true; Aliases = @('wi'); Wildcards = $false })
        $params.Add([pscustomobject]@{ Name = 'Confirm'; Type = 'SwitchParameter'; IsSwitch = $true; Aliases = @('cf'); Wildcards = $false })
    }
    $describe = {
        param($p)
        if ($Doc.Parameters.Contains($p.Name)) { return , $Doc.Parameters[$p.Name].Description }
        return , @($script:ShouldProcessText[$p.Name])
    }
    $default = {
        param($p)
        $d = if ($Doc.Parameters.Contains($p.Name)) { $Doc.Parameters[$p.Name].Yaml['Default value'] } else { $null }
        if ($d) { $d } elseif ($p.IsSwitch) { 'False' } else { 'None' }
    }
    $named = [pscustomobject]@{ Mandatory = $false; Position = -1; ByValue = $false; ByPropertyName = $false }

    $W.WriteStartElement('command', 'command', $script:NsCommand)
    $W.WriteAttributeString('xmlns', 'maml', $null, $script:NsMaml)
    $W.WriteAttributeString('xmlns', 'command', $null, $script:NsCommand)
    $W.WriteAttributeString('xmlns', 'dev', $null, $script:NsDev)
    $W.WriteAttributeString('xmlns', 'MSHelp', $null, 'http://msdn.microsoft.com/mshelp')

    $W.WriteStartElement('command', 'details', $script:NsCommand)
    $W.WriteElementString('command', 'name', $script:NsCommand, $Command.Name)
    $W.WriteElementString('command', 'verb', $script:NsCommand, $Command.Verb)
    $W.WriteElementString('command', 'noun', $script:NsCommand, $Command.Noun)
    Write-Para $W $Doc.Synopsis
    $W.WriteEndElement()

    Write-Para $W $Doc.Description

    $W.WriteStartElement('command', 'syntax', $script:NsCommand)
    $sets = @($Command.ParameterSets | Sort-Object @{ Expression = { -not $_.IsDefault } }, Name)
    foreach ($s in $sets) {
        $W.WriteStartElement('command', 'syntaxItem', $script:NsCommand)
        $W.WriteElementString('maml', 'name', $script:NsMaml, $Command.Name)
        $rows = @($s.Parameters | Sort-Object @{ Expression = { if ($_.Position -ge 0) { 0 } elseif ($_.Mandatory) { 1 } else { 2 } } }, @{ Expression = { [Math]::Max($_.Position, 0) } })
        foreach ($r in $rows) {
            $p = $params | Where-Object Name -EQ $r.Name | Select-Object -First 1
            if ($p) { Write-MamlParameter $W $p $r (& $describe $p) (& $default $p) -InSyntax }
        }
        foreach ($p in $params | Where-Object Name -In 'WhatIf', 'Confirm') { Write-MamlParameter $W $p $named (& $describe $p) 'False' -InSyntax }
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    # command:parameters: one entry per parameter, attributes merged over its sets (like platyPS).
    $W.WriteStartElement('command', 'parameters', $script:NsCommand)
    foreach ($p in $params) {
        $rows = @($Command.ParameterSets | ForEach-Object { $_.Parameters | Where-Object Name -EQ $p.Name })
        $row = if ($rows) {
            [pscustomobject]@{
                Mandatory      = @($rows | Where-Object { -not $_.Mandatory }).Count -eq 0
                Position       = ($rows | Measure-Object -Property Position -Maximum).Maximum
                ByValue        = @($rows | Where-Object ByValue).Count -gt 0
                ByPropertyName = @($rows | Where-Object ByPropertyName).Count -gt 0
            }
        }
        else { $named }
        Write-MamlParameter $W $p $row (& $describe $p) (& $default $p)
    }
    $W.WriteEndElement()

    foreach ($kind in @(@('inputTypes', 'inputType', $Doc.Inputs), @('returnValues', 'returnValue', $Doc.Outputs))) {
        $W.WriteStartElement('command', $kind[0], $script:NsCommand)
        foreach ($t in @($kind[2])) {
            $W.WriteStartElement('command', $kind[1], $script:NsCommand)
            $W.WriteStartElement('dev', 'type', $script:NsDev)
            $W.WriteElementString('maml', 'name', $script:NsMaml, $t.Type)
            $W.WriteEndElement()
            Write-Para $W $t.Description
            $W.WriteEndElement()
        }
        $W.WriteEndElement()
    }

    $W.WriteStartElement('maml', 'alertSet', $script:NsMaml)
    $W.WriteStartElement('maml', 'alert', $script:NsMaml)
    foreach ($n in @($Doc.Notes)) { $W.WriteElementString('maml', 'para', $script:NsMaml, $n) }
    $W.WriteEndElement()
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'examples', $script:NsCommand)
    foreach ($e in $Doc.Examples) {
        $W.WriteStartElement('command', 'example', $script:NsCommand)
        $W.WriteElementString('maml', 'title', $script:NsMaml, "--------- $($e.Title) ---------")
        if ($e.Introduction) {
            $W.WriteStartElement('maml', 'introduction', $script:NsMaml)
            foreach ($i in $e.Introduction) { $W.WriteElementString('maml', 'para', $script:NsMaml, $i) }
            $W.WriteEndElement()
        }
        $W.WriteElementString('dev', 'code', $script:NsDev, $e.Code)
        $W.WriteStartElement('dev', 'remarks', $script:NsDev)
        foreach ($r in $e.Remarks) { $W.WriteElementString('maml', 'para', $script:NsMaml, $r) }
        $W.WriteEndElement()
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteStartElement('command', 'relatedLinks', $script:NsCommand)
    foreach ($l in $Doc.Links) {
        $W.WriteStartElement('maml', 'navigationLink', $script:NsMaml)
        $W.WriteElementString('maml', 'linkText', $script:NsMaml, $l.Text)
        $W.WriteElementString('maml', 'uri', $script:NsMaml, $l.Uri)
        $W.WriteEndElement()
    }
    $W.WriteEndElement()

    $W.WriteEndElement() # command:command
}

#endregion

#region checks and markdown update

function Test-CommandDoc {
    param($Command, $Doc)
    $problems = [System.Collections.Generic.List[string]]::new()
    $problems.AddRange([string[]]@($Doc.Problems))
    $real = @($Command.Parameters | ForEach-Object Name)
    $allowed = $real + $(if ($Command.SupportsShouldProcess) { 'WhatIf', 'Confirm' } else { @() })
    foreach ($n in $Doc.Parameters.Keys) {
        if ($n -notin $allowed) { $problems.Add("$($Command.Name).md documents -$n, which $($Command.Name) does not have.") }
    }
    foreach ($n in $real) {
        if (-not $Doc.Parameters.Contains($n)) { $problems.Add("$($Command.Name): parameter -$n is not documented in $($Command.Name).md.") }
    }
    if (@($Doc.Examples).Count -lt 2) { $problems.Add("$($Command.Name).md has $(@($Doc.Examples).Count) example(s); at least 2 are required.") }
    if (-not $Doc.CommonParameters) { $problems.Add("$($Command.Name).md lacks '### CommonParameters'.") }
    foreach ($p in $Command.Parameters | Where-Object { $Doc.Parameters.Contains($_.Name) }) {
        $yaml = $Doc.Parameters[$p.Name].Yaml
        $want = Get-ParameterYaml $Command $p $yaml['Default value']
        foreach ($k in 'Type', 'Accepted values', 'Required', 'Position', 'Accept pipeline input', 'Accept wildcard characters') {
            $have = if ($yaml.ContainsKey($k)) { $yaml[$k] } elseif ($k -eq 'Accepted values') { '' } else { continue }
            if ($have -ne $want[$k]) {
                Write-Warning "$($Command.Name).md -$($p.Name): '${k}: $have' disagrees with the cmdlet ('$($want[$k])'); the help uses the cmdlet's. Run build/New-MamlHelp.ps1 -UpdateMarkdown to fix the markdown."
            }
        }
    }
    return $problems
}

# Rewrites the SYNTAX section and each parameter's yaml block from the metadata; keeps all prose.
function Update-CommandMarkdown {
    param($Command, $Doc)
    $out = [System.Collections.Generic.List[string]]::new()
    $lines = $Doc.Lines
    $i = 0; $section = ''; $param = $null
    while ($i -lt $lines.Count) {
        $l = $lines[$i]
        if ($l -match '^## (.+)$') { $section = $Matches[1].Trim(); $param = $null }
        if ($section -eq 'PARAMETERS' -and $l -match '^### -(\w+)$') { $param = $Matches[1] }
        if ($section -eq 'SYNTAX' -and $l -match '^## SYNTAX') {
            $out.Add($l); $out.Add('')
            foreach ($s in @($Command.ParameterSets | Sort-Object @{ Expression = { -not $_.IsDefault } }, Name)) {
                $out.Add("### $(if ($s.Name -eq '__AllParameterSets') { '__AllParameterSets' } else { $s.Name })$(if ($s.IsDefault -and @($Command.ParameterSets).Count -gt 1) { ' (Default)' })")
                $out.Add('```'); $out.Add((Get-SyntaxLine $Command $s)); $out.Add('```'); $out.Add('')
            }
            $i++
            while ($i -lt $lines.Count -and $lines[$i] -notmatch '^## ') { $i++ }
            continue
        }
        if ($section -eq 'PARAMETERS' -and $param -and $l -match '^```yaml') {
            $p = $Command.Parameters | Where-Object Name -EQ $param | Select-Object -First 1
            $old = @{}; $j = $i + 1
            while ($j -lt $lines.Count -and $lines[$j] -notmatch '^```') { if ($lines[$j] -match '^([^:]+):\s*(.*)$') { $old[$Matches[1].Trim()] = $Matches[2].Trim() }; $j++ }
            if ($p) {
                $y = Get-ParameterYaml $Command $p $old['Default value']
                $out.Add('```yaml')
                foreach ($k in $y.Keys) {
                    if ($k -eq 'Accepted values' -and -not $y[$k]) { continue }
                    $out.Add("${k}: $($y[$k])".TrimEnd())
                    if ($k -eq 'Accepted values' -or ($k -eq 'Aliases' -and -not $y['Accepted values'])) { $out.Add('') }
                }
                $out.Add('```')
                $i = $j + 1; continue
            }
        }
        $out.Add($l); $i++
    }
    [System.IO.File]::WriteAllText($Doc.Path, ($out -join "`n").TrimEnd() + "`n")
}

#endregion

#region about topics

# platyPS about schema: "# about_X", "## about_x", "# SHORT DESCRIPTION", "# LONG DESCRIPTION", ...
function ConvertTo-AboutText {
    param([string] $Path)
    $name = [System.IO.Path]::GetFileNameWithoutExtension($Path)
    $lines = [System.IO.File]::ReadAllLines($Path)
    $sb = [System.Text.StringBuilder]::new()
    [void]$sb.AppendLine('TOPIC').AppendLine("    $name").AppendLine()
    $inFence = $false; $para = [System.Collections.Generic.List[string]]::new(); $hasShort = $false
    $indent = '    '
    # Word-wraps one paragraph (or one list item, with a hanging indent) to 80 columns.
    $wrap = {
        param([string] $text, [string] $first, [string] $rest)
        $line = ''; $lead = $first
        foreach ($w in $text -split '\s+' | Where-Object { $_ }) {
            if ($line.Length -and ($lead.Length + $line.Length + 1 + $w.Length) -gt 80) { [void]$sb.AppendLine("$lead$line"); $line = $w; $lead = $rest }
            else { $line = if ($line) { "$line $w" } else { $w } }
        }
        if ($line) { [void]$sb.AppendLine("$lead$line") }
    }
    $flushPara = {
        if ($para.Count -eq 0) { return }
        if ($para[0] -match '^\s*\|') { foreach ($p in $para) { [void]$sb.AppendLine("$indent$p") } }
        elseif ($para[0] -match '^\s*([-*+]|\d+\.)\s') {
            # A list: each item starts with its marker; other lines continue the item.
            $items = [System.Collections.Generic.List[string]]::new()
            foreach ($p in $para) { if ($p -match '^\s*([-*+]|\d+\.)\s' -or $items.Count -eq 0) { $items.Add($p.Trim()) } else { $items[$items.Count - 1] += ' ' + $p.Trim() } }
            foreach ($it in $items) { & $wrap $it $indent "$indent  " }
        }
        else { & $wrap (($para | ForEach-Object Trim) -join ' ') $indent $indent }
        [void]$sb.AppendLine()
        $para.Clear()
    }
    foreach ($l in $lines) {
        if ($l -match '^\s*```') { & $flushPara; $inFence = -not $inFence; if (-not $inFence) { [void]$sb.AppendLine() }; continue }
        if ($inFence) { [void]$sb.AppendLine("$indent    $l".TrimEnd()); continue }
        if ($l -match '^# (.+)$') {
            & $flushPara
            $h = $Matches[1].Trim()
            if ($h -ieq $name) { continue }
            if ($h -eq 'SHORT DESCRIPTION') { $hasShort = $true }
            [void]$sb.AppendLine($h.ToUpperInvariant()); $indent = '    '; continue
        }
        if ($l -match '^## (.+)$') {
            & $flushPara
            if ($Matches[1].Trim() -ieq $name) { continue }
            [void]$sb.AppendLine("  $($Matches[1].Trim().ToUpperInvariant())"); $indent = '    '; continue
        }
        if ($l -match '^###+ (.+)$') { & $flushPara; [void]$sb.AppendLine("    $($Matches[1].Trim())"); $indent = '      '; continue }
        if ($l.Trim().Length -eq 0) { & $flushPara; continue }
        $para.Add((ConvertFrom-InlineMarkdown $l))
    }
    & $flushPara
    if (-not $hasShort) { throw "$name.md has no '# SHORT DESCRIPTION' section (platyPS about schema)." }
    [System.IO.File]::WriteAllText((Join-Path $OutputPath "$name.help.txt"), $sb.ToString().TrimEnd() + "`n")
}

#endregion

$commands = Get-CmdletMetadata -Path $ModulePath
if ($commands.Count -eq 0) { throw "The module in $ModulePath exports no cmdlets." }
$docFiles = @(Get-ChildItem -Path $DocsPath -Filter '*-*.md' -File)
$problems = [System.Collections.Generic.List[string]]::new()
foreach ($f in $docFiles) {
    if ($f.BaseName -notin @($commands | ForEach-Object Name)) { $problems.Add("$($f.Name) documents '$($f.BaseName)', which the module does not export.") }
}
$docs = @{}
foreach ($c in $commands) {
    $file = Join-Path $DocsPath "$($c.Name).md"
    if (-not (Test-Path $file)) { $problems.Add("$($c.Name) is exported but has no help: $file is missing."); continue }
    if ($UpdateMarkdown) { Update-CommandMarkdown $c (Read-CommandMarkdown $file) }
    $docs[$c.Name] = Read-CommandMarkdown $file
    foreach ($p in Test-CommandDoc $c $docs[$c.Name]) { $problems.Add($p) }
}
if ($problems.Count) {
    throw ("Help is incomplete ($($problems.Count) problem(s)):`n  " + ($problems -join "`n  "))
}

$target = Join-Path $OutputPath 'JailsModule.dll-Help.xml'
$settings = [System.Xml.XmlWriterSettings]::new()
$settings.Indent = $true
$settings.Encoding = [System.Text.UTF8Encoding]::new($false)
$writer = [System.Xml.XmlWriter]::Create($target, $settings)
try {
    $writer.WriteStartDocument()
    $writer.WriteStartElement('helpItems', 'http://msh')
    $writer.WriteAttributeString('schema', 'maml')
    foreach ($c in $commands) { Write-MamlCommand $writer $c $docs[$c.Name] }
    $writer.WriteEndElement()
    $writer.WriteEndDocument()
}
finally { $writer.Dispose() }

$abouts = @(Get-ChildItem -Path $DocsPath -Filter 'about_*.md' -File)
foreach ($a in $abouts) { ConvertTo-AboutText $a.FullName }
Write-Host "Help: $($commands.Count) cmdlet(s) and $($abouts.Count) about topic(s) written to $OutputPath"
