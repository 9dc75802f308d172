<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="zh_CN">
<context>
    <name>ActionDialog</name>
    <message>
        <location filename="../../widgets/case_actions.py" line="93"/>
        <source>{action} — {plate} {type}</source>
        <translation>{action} — {plate} {type}</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="129"/>
        <source>必填：请说明原因</source>
        <translation>Required: give the reason</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="129"/>
        <source>选填</source>
        <translation>Optional</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="131"/>
        <source>原因</source>
        <translation>Reason</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="131"/>
        <source>备注</source>
        <translation>Note</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="142"/>
        <source>发送</source>
        <translation>Send</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="142"/>
        <source>确定</source>
        <translation>OK</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="143"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="164"/>
        <source>语音播报并在终端屏幕显示（GBK 编码）</source>
        <translation>Spoken by TTS and shown on the terminal&apos;s screen (GBK encoding)</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="167"/>
        <source>提醒内容</source>
        <translation>Reminder text</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="170"/>
        <source>指定期限</source>
        <translation>Set a deadline</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="184"/>
        <source>（北京时间；不指定则按策略默认）</source>
        <translation>(Beijing time; otherwise the policy&apos;s default)</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="185"/>
        <source>处理期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="196"/>
        <source>处理措施</source>
        <translation>Measures</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="199"/>
        <source>添加附件…</source>
        <translation>Add attachment…</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="212"/>
        <source>附件</source>
        <translation>Attachments</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="218"/>
        <source>督办级别</source>
        <translation>Escalation level</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="227"/>
        <source>督办单位</source>
        <translation>Supervisor</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="229"/>
        <source>选填：承办人用户 ID</source>
        <translation>Optional: assignee user ID</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="230"/>
        <source>承办人</source>
        <translation>Assignee</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="281"/>
        <source>请输入提醒内容</source>
        <translation>Enter the reminder text</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="284"/>
        <source>以下字符无法用 GBK 编码，终端无法播报：{chars}</source>
        <translation>These characters cannot be encoded in GBK; the terminal cannot speak them: {chars}</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="288"/>
        <source>请至少选择一项处理措施</source>
        <translation>Choose at least one measure</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="290"/>
        <source>请填写原因</source>
        <translation>Give the reason</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="293"/>
        <source>期限必须晚于当前时间</source>
        <translation>The deadline must be in the future</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="295"/>
        <source>附件上传中…</source>
        <translation>Uploading attachments…</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="316"/>
        <source>选择附件</source>
        <translation>Choose attachments</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="319"/>
        <source>图片、文档和视频 (*.jpg *.jpeg *.png *.pdf *.docx *.xlsx *.mp4);;所有文件 (*)</source>
        <translation>Pictures, documents and videos (*.jpg *.jpeg *.png *.pdf *.docx *.xlsx *.mp4);;All files (*)</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="336"/>
        <source>{name} 超过 20 MB，无法上传</source>
        <translation>{name} is larger than 20 MB and cannot be uploaded</translation>
    </message>
    <message>
        <location filename="../../widgets/case_actions.py" line="374"/>
        <source>附件上传失败：{why}</source>
        <translation>Attachment upload failed: {why}</translation>
    </message>
</context>
<context>
    <name>AlarmFilter</name>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="215"/>
        <source>级别 ≥ {name}</source>
        <translation>severity ≥ {name}</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="218"/>
        <source>类别：{names}</source>
        <translation>family: {names}</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="221"/>
        <source>类型：{names}</source>
        <translation>type: {names}</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="224"/>
        <source>县区：{names}</source>
        <translation>county: {names}</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="227"/>
        <source>企业：{names}</source>
        <translation>enterprise: {names}</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="230"/>
        <source>处理状态：{state}</source>
        <translation>handling: {state}</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="233"/>
        <source>时间：{start} 至 {end}</source>
        <translation>time: {start} to {end}</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="238"/>
        <source>最近 {n} 小时</source>
        <translation>last {n} hours</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="240"/>
        <source>车牌含“{plate}”</source>
        <translation>plate contains “{plate}”</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="241"/>
        <source>全部报警</source>
        <translation>All alarms</translation>
    </message>
</context>
<context>
    <name>AlarmModel</name>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="40"/>
        <source>ADAS 报警</source>
        <translation>ADAS alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="41"/>
        <source>DSM 报警</source>
        <translation>DSM alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="42"/>
        <source>盲区监测</source>
        <translation>Blind spot (BSD)</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="43"/>
        <source>胎压监测</source>
        <translation>Tyre pressure (TPMS)</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="44"/>
        <source>激烈驾驶</source>
        <translation>Aggressive driving</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="45"/>
        <source>终端报警</source>
        <translation>Terminal alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="46"/>
        <source>视频报警</source>
        <translation>Video alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="47"/>
        <source>平台报警</source>
        <translation>Platform alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_filter.py" line="49"/>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="86"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="87"/>
        <source>级别</source>
        <translation>Severity</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="88"/>
        <source>报警类型</source>
        <translation>Alarm type</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="89"/>
        <source>车牌</source>
        <translation>Plate</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="90"/>
        <source>企业</source>
        <translation>Enterprise</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="91"/>
        <source>县区</source>
        <translation>County</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="92"/>
        <source>速度</source>
        <translation>Speed</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="93"/>
        <source>位置</source>
        <translation>Location</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="94"/>
        <source>证据</source>
        <translation>Evidence</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="95"/>
        <source>处理状态</source>
        <translation>Handling</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="96"/>
        <source>等待时长</source>
        <translation>Waiting</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="99"/>
        <source>低</source>
        <translation>Low</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="100"/>
        <source>中</source>
        <translation>Medium</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="101"/>
        <source>高</source>
        <translation>High</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="102"/>
        <source>严重</source>
        <translation>Critical</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="105"/>
        <source>一级</source>
        <translation>Level 1</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="106"/>
        <source>二级</source>
        <translation>Level 2</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="109"/>
        <source>待上传</source>
        <translation>Pending</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="110"/>
        <source>完整</source>
        <translation>Complete</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="111"/>
        <source>不完整</source>
        <translation>Incomplete</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="112"/>
        <source>无</source>
        <translation>None</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="115"/>
        <source>未处理</source>
        <translation>Unhandled</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="116"/>
        <source>已确认</source>
        <translation>Acknowledged</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="127"/>
        <source>{d}天</source>
        <translation>{d}d</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_model.py" line="500"/>
        <source>{n} 次报警：{first} 至 {last}</source>
        <translation>{n} alarms: {first} to {last}</translation>
    </message>
</context>
<context>
    <name>AlarmQueue</name>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="164"/>
        <source>全部级别</source>
        <translation>All severities</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="166"/>
        <source>中及以上</source>
        <translation>Medium and above</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="167"/>
        <source>高及以上</source>
        <translation>High and above</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="168"/>
        <source>仅严重</source>
        <translation>Critical only</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="172"/>
        <source>全部类别</source>
        <translation>All families</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="179"/>
        <location filename="../../widgets/alarm_queue.py" line="322"/>
        <source>全部县区</source>
        <translation>All counties</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="180"/>
        <location filename="../../widgets/alarm_queue.py" line="323"/>
        <source>全部企业</source>
        <translation>All enterprises</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="182"/>
        <source>全部状态</source>
        <translation>All states</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="187"/>
        <source>全部时间</source>
        <translation>Any time</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="188"/>
        <source>最近 1 小时</source>
        <translation>Last hour</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="189"/>
        <source>最近 4 小时</source>
        <translation>Last 4 hours</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="190"/>
        <source>最近 24 小时</source>
        <translation>Last 24 hours</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="194"/>
        <source>车牌…</source>
        <translation>Plate…</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="197"/>
        <source>预设</source>
        <translation>Presets</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="253"/>
        <location filename="../../widgets/alarm_queue.py" line="518"/>
        <source>加载更早的报警</source>
        <translation>Load older alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="260"/>
        <source>导出 Excel…</source>
        <translation>Export to Excel…</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="420"/>
        <source>全部类型</source>
        <translation>All types</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="441"/>
        <source>保存当前筛选…</source>
        <translation>Save current filter…</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="442"/>
        <source>删除</source>
        <translation>Delete</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="448"/>
        <source>保存筛选</source>
        <translation>Save filter</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="448"/>
        <source>名称：</source>
        <translation>Name:</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="456"/>
        <source>TruckWatch 报警列表（{filter}）导出于 {time}（北京时间）</source>
        <translation>TruckWatch alarms ({filter}) exported {time} (Beijing time)</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="465"/>
        <location filename="../../widgets/alarm_queue.py" line="473"/>
        <source>导出报警</source>
        <translation>Export alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="465"/>
        <source>Excel 工作簿 (*.xlsx)</source>
        <translation>Excel workbook (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="499"/>
        <source>{rows} 行 · {alarms} 条报警</source>
        <translation>{rows} rows · {alarms} alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="522"/>
        <source>加载更早的报警（已载入 {loaded}，共 {total}）</source>
        <translation>Load older alarms ({loaded} of {total} loaded)</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="535"/>
        <source>已静音</source>
        <translation>Muted</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="535"/>
        <source>声音开</source>
        <translation>Sound on</translation>
    </message>
    <message>
        <location filename="../../widgets/alarm_queue.py" line="536"/>
        <source>报警提示音（静音会被记录）</source>
        <translation>Alarm sounds (muting is recorded)</translation>
    </message>
</context>
<context>
    <name>CaseInbox</name>
    <message>
        <location filename="../../widgets/case_inbox.py" line="86"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../widgets/case_inbox.py" line="89"/>
        <source>填写反馈…</source>
        <translation>Give feedback…</translation>
    </message>
    <message>
        <location filename="../../widgets/case_inbox.py" line="89"/>
        <source>审核…</source>
        <translation>Review…</translation>
    </message>
    <message>
        <location filename="../../widgets/case_inbox.py" line="89"/>
        <source>处置…</source>
        <translation>Handle…</translation>
    </message>
    <message>
        <location filename="../../widgets/case_inbox.py" line="207"/>
        <source>待处理通报 {n} 件</source>
        <translation>{n} notices to handle</translation>
    </message>
    <message>
        <location filename="../../widgets/case_inbox.py" line="209"/>
        <source>待审核反馈 {n} 件</source>
        <translation>{n} feedbacks to review</translation>
    </message>
    <message>
        <location filename="../../widgets/case_inbox.py" line="211"/>
        <source>未办结工单 {n} 件</source>
        <translation>{n} open cases</translation>
    </message>
    <message>
        <location filename="../../widgets/case_inbox.py" line="213"/>
        <source>，其中逾期 {n} 件</source>
        <translation>, {n} overdue</translation>
    </message>
</context>
<context>
    <name>CasePanel</name>
    <message>
        <location filename="../../widgets/case_panel.py" line="214"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="217"/>
        <source>导出处理单 PDF…</source>
        <translation>Export case sheet PDF…</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="232"/>
        <source>企业</source>
        <translation>Enterprise</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="233"/>
        <source>开单时间</source>
        <translation>Opened</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="234"/>
        <source>处理期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="235"/>
        <source>报警</source>
        <translation>Alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="236"/>
        <source>提醒</source>
        <translation>Reminder</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="237"/>
        <source>企业反馈</source>
        <translation>Feedback</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="279"/>
        <source>报警照片</source>
        <translation>Alarm photos</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="281"/>
        <source>报警前后 2 分钟轨迹</source>
        <translation>Track 2 minutes around the alarm</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="293"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="293"/>
        <source>操作</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="293"/>
        <source>操作人</source>
        <translation>By</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="293"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="293"/>
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="299"/>
        <source>处置记录</source>
        <translation>Audit trail</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="337"/>
        <source>未选择工单</source>
        <translation>No case selected</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="345"/>
        <source>选择报警或工单查看</source>
        <translation>Select an alarm or a case</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="357"/>
        <source>正在加载轨迹…</source>
        <translation>Loading the track…</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="422"/>
        <source>正在执行：{action}…</source>
        <translation>Doing: {action}…</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="423"/>
        <source>（等待终端应答）</source>
        <translation> (waiting for the terminal)</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="466"/>
        <source>{action}已完成。</source>
        <translation>{action}: done.</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="470"/>
        <source>提醒已发送：{status}。</source>
        <translation>Reminder sent: {status}.</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="480"/>
        <source>{action}失败：{why}</source>
        <translation>{action} failed: {why}</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="513"/>
        <source>{n} 次，最近 {t}</source>
        <translation>{n}, last at {t}</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="518"/>
        <source>未提醒</source>
        <translation>Not reminded</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="567"/>
        <source>{action}（{keys}）</source>
        <translation>{action} ({keys})</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="620"/>
        <source>报警照片（{n}）</source>
        <translation>Alarm photos ({n})</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="625"/>
        <source>报警照片：{why}</source>
        <translation>Alarm photos: {why}</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="640"/>
        <location filename="../../widgets/case_panel.py" line="646"/>
        <source>无轨迹</source>
        <translation>No track</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="677"/>
        <source>导出处理单</source>
        <translation>Export case sheet</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="677"/>
        <source>PDF 文件 (*.pdf)</source>
        <translation>PDF files (*.pdf)</translation>
    </message>
</context>
<context>
    <name>CasePdf</name>
    <message>
        <location filename="../../widgets/case_pdf.py" line="42"/>
        <source>工单编号</source>
        <translation>Case number</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="43"/>
        <source>车牌</source>
        <translation>Plate</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="44"/>
        <source>企业</source>
        <translation>Enterprise</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="45"/>
        <source>县区</source>
        <translation>County</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="46"/>
        <source>违规类型</source>
        <translation>Violation</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="47"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="48"/>
        <source>开单时间</source>
        <translation>Opened</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="49"/>
        <source>处理期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="50"/>
        <source>办结时间</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="51"/>
        <source>督办</source>
        <translation>Escalation</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="52"/>
        <source>提醒</source>
        <translation>Reminder</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="53"/>
        <source>处理措施</source>
        <translation>Measures</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="54"/>
        <source>企业反馈</source>
        <translation>Feedback</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="55"/>
        <source>重型货车违规处置通报 / 处理单</source>
        <translation>Heavy truck violation notice / handling sheet</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="56"/>
        <source>打印时间</source>
        <translation>Printed</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="57"/>
        <source>北京时间</source>
        <translation>Beijing time</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="58"/>
        <source>报警记录</source>
        <translation>Alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="59"/>
        <source>时间</source>
        <translation>Time</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="60"/>
        <source>级别</source>
        <translation>Level</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="61"/>
        <source>速度</source>
        <translation>Speed</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="62"/>
        <source>位置</source>
        <translation>Position</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="63"/>
        <source>报警照片</source>
        <translation>Alarm photos</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="64"/>
        <source>处置记录</source>
        <translation>Audit trail</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="65"/>
        <source>操作</source>
        <translation>Action</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="66"/>
        <source>操作人</source>
        <translation>By</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="67"/>
        <source>说明</source>
        <translation>Details</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="68"/>
        <source>处理单位（盖章）</source>
        <translation>Handled by (seal)</translation>
    </message>
    <message>
        <location filename="../../widgets/case_pdf.py" line="69"/>
        <source>日期</source>
        <translation>Date</translation>
    </message>
</context>
<context>
    <name>CaseStats</name>
    <message>
        <location filename="../../widgets/case_stats.py" line="115"/>
        <source>自定义</source>
        <translation>Custom</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="116"/>
        <source>今天</source>
        <translation>Today</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="117"/>
        <source>最近 7 天</source>
        <translation>Last 7 days</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="118"/>
        <source>最近 30 天</source>
        <translation>Last 30 days</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="123"/>
        <source>按县区</source>
        <translation>By county</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="124"/>
        <source>按企业</source>
        <translation>By enterprise</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="125"/>
        <source>统计</source>
        <translation>Query</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="127"/>
        <source>导出 Excel…</source>
        <translation>Export Excel…</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="133"/>
        <source>开单日期</source>
        <translation>Opened between</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="220"/>
        <source>处置率</source>
        <translation>Disposal rate</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="221"/>
        <source>处理率</source>
        <translation>Handling rate</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="245"/>
        <source>TruckWatch 违规处置统计（{by}，{start} 至 {end}，北京时间）</source>
        <translation>TruckWatch case statistics ({by}, {start} to {end}, Beijing time)</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="265"/>
        <location filename="../../widgets/case_stats.py" line="273"/>
        <source>导出统计</source>
        <translation>Export statistics</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="265"/>
        <source>Excel 工作簿 (*.xlsx)</source>
        <translation>Excel workbook (*.xlsx)</translation>
    </message>
</context>
<context>
    <name>CaseStatsDialog</name>
    <message>
        <location filename="../../widgets/case_stats.py" line="279"/>
        <source>处置统计</source>
        <translation>Case statistics</translation>
    </message>
</context>
<context>
    <name>Cases</name>
    <message>
        <location filename="../../widgets/case_model.py" line="37"/>
        <source>待处置</source>
        <translation>New</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="38"/>
        <source>已提醒</source>
        <translation>Reminded</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="39"/>
        <source>已通报</source>
        <translation>Notified</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="40"/>
        <source>待审核</source>
        <translation>To review</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="41"/>
        <location filename="../../widgets/case_stats.py" line="51"/>
        <source>已办结</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="42"/>
        <location filename="../../widgets/case_model.py" line="52"/>
        <source>误报</source>
        <translation>False alarm</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="45"/>
        <source>开单</source>
        <translation>Opened</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="46"/>
        <source>追加报警</source>
        <translation>Alarm attached</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="47"/>
        <source>提醒</source>
        <translation>Remind</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="48"/>
        <source>通报</source>
        <translation>Notify</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="49"/>
        <source>企业反馈</source>
        <translation>Feedback</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="50"/>
        <source>办结</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="51"/>
        <source>退回</source>
        <translation>Return</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="53"/>
        <source>重新打开</source>
        <translation>Reopen</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="54"/>
        <location filename="../../widgets/case_model.py" line="166"/>
        <source>督办</source>
        <translation>Escalate</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="57"/>
        <source>批评教育</source>
        <translation>Criticism</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="58"/>
        <source>安全培训</source>
        <translation>Safety training</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="59"/>
        <source>停岗</source>
        <translation>Suspension</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="60"/>
        <source>罚款</source>
        <translation>Fine</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="61"/>
        <source>申诉误报</source>
        <translation>Appeal (false alarm)</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="64"/>
        <source>您的角色不能执行此操作</source>
        <translation>Your role cannot do this</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="65"/>
        <source>该工单不在您的管辖范围内</source>
        <translation>This case is outside your scope</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="66"/>
        <source>工单当前状态不允许此操作</source>
        <translation>The case&apos;s state does not allow this now</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="67"/>
        <source>正在加载工单…</source>
        <translation>Loading the case…</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="70"/>
        <source>终端已确认</source>
        <translation>acknowledged by the terminal</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="71"/>
        <source>终端拒绝</source>
        <translation>refused by the terminal</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="72"/>
        <source>终端未应答</source>
        <translation>no answer from the terminal</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="73"/>
        <source>终端离线</source>
        <translation>terminal offline</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="76"/>
        <source>管理员</source>
        <translation>admin</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="77"/>
        <source>县区值班员</source>
        <translation>county operator</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="78"/>
        <source>企业安全员</source>
        <translation>enterprise officer</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="79"/>
        <source>平台</source>
        <translation>Platform</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="81"/>
        <source>剩余 {t}</source>
        <translation>{t} left</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="82"/>
        <source>已逾期 {t}</source>
        <translation>overdue {t}</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="83"/>
        <source>{d}天{h}小时</source>
        <translation>{d} d {h} h</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="84"/>
        <source>{h}小时{m:02d}分</source>
        <translation>{h} h {m:02d} min</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="85"/>
        <source>{m}分{s:02d}秒</source>
        <translation>{m} min {s:02d} s</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="86"/>
        <location filename="../../widgets/case_panel.py" line="730"/>
        <source>{n}级督办</source>
        <translation>escalation level {n}</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="160"/>
        <source>车牌</source>
        <translation>Plate</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="161"/>
        <source>违规类型</source>
        <translation>Violation</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="162"/>
        <source>状态</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="163"/>
        <source>开单时间</source>
        <translation>Opened</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="164"/>
        <source>处理期限</source>
        <translation>Deadline</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="165"/>
        <source>剩余时间</source>
        <translation>Time left</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="167"/>
        <source>报警数</source>
        <translation>Alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/case_model.py" line="168"/>
        <source>企业</source>
        <translation>Enterprise</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="81"/>
        <source>工单状态已变化，该操作当前不可执行。</source>
        <translation>The case has changed; this action is not possible now.</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="723"/>
        <source>期限 {t}</source>
        <translation>deadline {t}</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="734"/>
        <source>逾期自动督办</source>
        <translation>escalated automatically (overdue)</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="740"/>
        <source>附件：{names}</source>
        <translation>attachments: {names}</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="46"/>
        <source>名称</source>
        <translation>Name</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="47"/>
        <source>工单数</source>
        <translation>Cases</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="48"/>
        <source>需处置报警</source>
        <translation>Alarms to handle</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="49"/>
        <source>已处置报警</source>
        <translation>Alarms handled</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="50"/>
        <source>处置率</source>
        <translation>Disposal rate</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="52"/>
        <source>处理率</source>
        <translation>Handling rate</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="53"/>
        <source>逾期</source>
        <translation>Overdue</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="54"/>
        <source>办结用时中位数（分钟）</source>
        <translation>Median time to close (min)</translation>
    </message>
    <message>
        <location filename="../../widgets/case_stats.py" line="93"/>
        <source>合计</source>
        <translation>Total</translation>
    </message>
</context>
<context>
    <name>DesktopNotice</name>
    <message>
        <location filename="../../widgets/desktop_notice.py" line="46"/>
        <source>报警：{name}</source>
        <translation>Alarm: {name}</translation>
    </message>
</context>
<context>
    <name>EvidenceViewer</name>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="45"/>
        <source>无附件</source>
        <translation>No evidence</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="46"/>
        <source>上传中</source>
        <translation>Uploading</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="47"/>
        <source>已完整</source>
        <translation>Complete</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="48"/>
        <source>不完整</source>
        <translation>Incomplete</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="51"/>
        <source>照片</source>
        <translation>Photo</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="52"/>
        <source>视频</source>
        <translation>Video</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="53"/>
        <source>音频</source>
        <translation>Audio</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="54"/>
        <source>文本</source>
        <translation>Text</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="55"/>
        <source>其他</source>
        <translation>Other</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="58"/>
        <source>终端已确认，请稍候刷新。</source>
        <translation>The terminal acknowledged; refresh in a moment.</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="59"/>
        <source>终端拒绝了该指令。</source>
        <translation>The terminal refused the command.</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="60"/>
        <source>终端未应答，请稍后重试。</source>
        <translation>The terminal did not answer; try again later.</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="164"/>
        <source>未选择报警</source>
        <translation>No alarm selected</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="167"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="191"/>
        <source>重新请求附件</source>
        <translation>Request evidence again</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="193"/>
        <source>立即拍照</source>
        <translation>Take photo now</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="195"/>
        <source>查看实时视频</source>
        <translation>Live video</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="217"/>
        <source>请选择一条报警查看附件。</source>
        <translation>Select an alarm to see its evidence.</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="223"/>
        <source>上一张</source>
        <translation>Previous</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="224"/>
        <source>下一张</source>
        <translation>Next</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="225"/>
        <source>放大</source>
        <translation>Zoom in</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="226"/>
        <source>缩小</source>
        <translation>Zoom out</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="227"/>
        <source>适应窗口</source>
        <translation>Fit</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="253"/>
        <source>正在加载附件…</source>
        <translation>Loading evidence…</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="279"/>
        <source>正在向终端请求附件…</source>
        <translation>Asking the terminal for the evidence…</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="292"/>
        <source>正在发送拍照指令…</source>
        <translation>Sending the photo command…</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="347"/>
        <source>该报警暂无附件。</source>
        <translation>This alarm has no evidence.</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="349"/>
        <source>终端尚未上传附件。</source>
        <translation>The terminal has not uploaded the evidence yet.</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="361"/>
        <source>附件加载失败。</source>
        <translation>The evidence could not be loaded.</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="369"/>
        <source>指令已发送。</source>
        <translation>Command sent.</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="392"/>
        <source>附件尚未上传完整（已收到 {0}/{1} 字节），可重新请求附件。</source>
        <translation>The evidence is incomplete ({0}/{1} bytes received); you can request it again.</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="403"/>
        <source>该类型附件暂不支持预览：{0}</source>
        <translation>No preview for this kind of file: {0}</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="424"/>
        <source>图片无法解码：{0}</source>
        <translation>The picture cannot be decoded: {0}</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="462"/>
        <source>已完成</source>
        <translation>Complete</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="467"/>
        <source>上传中 {0}%</source>
        <translation>Uploading {0}%</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="469"/>
        <source>不完整 {0}%</source>
        <translation>Incomplete {0}%</translation>
    </message>
    <message>
        <location filename="../../widgets/evidence_viewer.py" line="490"/>
        <source>附件：{0}（{1} 个）</source>
        <translation>Evidence: {0} ({1} files)</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../widgets/login.py" line="38"/>
        <source>TruckWatch 登录</source>
        <translation>TruckWatch login</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="41"/>
        <source>重型货车主动安全监控台</source>
        <translation>Heavy-truck active safety console</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="46"/>
        <source>本地演示（内置平台 + 模拟车队，无需服务器）</source>
        <translation>Local demo (built-in platform + simulated fleet, no server needed)</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="48"/>
        <source>连接监控平台服务器</source>
        <translation>Connect to a monitoring platform server</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="60"/>
        <source>服务器地址：</source>
        <translation>Server address:</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="61"/>
        <source>用户名：</source>
        <translation>Username:</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="62"/>
        <source>密码：</source>
        <translation>Password:</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="70"/>
        <location filename="../../widgets/login.py" line="92"/>
        <source>登录</source>
        <translation>Log in</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="71"/>
        <source>退出</source>
        <translation>Quit</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="92"/>
        <source>启动本地演示</source>
        <translation>Start local demo</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="111"/>
        <source>请输入用户名和密码。</source>
        <translation>Please enter username and password.</translation>
    </message>
    <message>
        <location filename="../../widgets/login.py" line="139"/>
        <source>正在登录…</source>
        <translation>Logging in…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../widgets/main_window.py" line="61"/>
        <source>正在连接…</source>
        <translation>Connecting…</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="62"/>
        <source>已连接</source>
        <translation>Connected</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="63"/>
        <source>连接中断，正在重连…</source>
        <translation>Connection lost, reconnecting…</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="64"/>
        <location filename="../../widgets/main_window.py" line="636"/>
        <source>登录已失效</source>
        <translation>Session expired</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="65"/>
        <source>未连接</source>
        <translation>Not connected</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="97"/>
        <source>TruckWatch 重型货车主动安全监控 — {who}</source>
        <translation>TruckWatch heavy-truck active safety — {who}</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="112"/>
        <source>车辆</source>
        <translation>Vehicles</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="115"/>
        <source>车辆详情</source>
        <translation>Vehicle details</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="119"/>
        <source>报警队列</source>
        <translation>Alarm queue</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="123"/>
        <source>报警附件</source>
        <translation>Evidence</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="128"/>
        <source>实时视频</source>
        <translation>Live video</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="132"/>
        <source>历史回放</source>
        <translation>History playback</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="137"/>
        <source>处置工单</source>
        <translation>Case</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="222"/>
        <source>视图(&amp;V)</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="233"/>
        <source>墙屏模式（全屏）</source>
        <translation>Wall mode (full screen)</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="238"/>
        <source>恢复默认布局</source>
        <translation>Restore default layout</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="241"/>
        <source>刷新</source>
        <translation>Refresh</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="246"/>
        <source>地图(&amp;M)</source>
        <translation>&amp;Map</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="247"/>
        <source>跟踪所选车辆</source>
        <translation>Follow selected vehicle</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="251"/>
        <source>显示全部车辆</source>
        <translation>Show all vehicles</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="258"/>
        <source>OpenStreetMap</source>
        <translation>OpenStreetMap</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="259"/>
        <source>高德地图 (GCJ-02)</source>
        <translation>AutoNavi / Gaode (GCJ-02)</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="260"/>
        <source>天地图（需要密钥）…</source>
        <translation>Tianditu (needs a key)…</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="261"/>
        <source>自定义 XYZ 瓦片…</source>
        <translation>Custom XYZ tiles…</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="262"/>
        <source>离线瓦片目录…</source>
        <translation>Offline tile directory…</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="263"/>
        <source>无底图（仅县区轮廓）</source>
        <translation>No base map (county outlines only)</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="273"/>
        <source>工单(&amp;C)</source>
        <translation>&amp;Cases</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="274"/>
        <source>处置统计…</source>
        <translation>Case statistics…</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="277"/>
        <source>刷新工单</source>
        <translation>Refresh cases</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="282"/>
        <source>处置策略…</source>
        <translation>Case policy…</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="287"/>
        <source>仅管理员可以配置处置策略</source>
        <translation>Only admins can configure the case policy</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="290"/>
        <source>设置(&amp;S)</source>
        <translation>&amp;Settings</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="291"/>
        <source>高级别报警桌面通知</source>
        <translation>Desktop notices of severe alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="296"/>
        <location filename="../../widgets/main_window.py" line="687"/>
        <source>语言 / Language</source>
        <translation>Language / 语言</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="307"/>
        <source>帮助(&amp;H)</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="308"/>
        <location filename="../../widgets/main_window.py" line="696"/>
        <source>关于 TruckWatch</source>
        <translation>About TruckWatch</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="609"/>
        <source>在线 {online}/{total}</source>
        <translation>Online {online}/{total}</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="613"/>
        <source>今日报警 {n}</source>
        <translation>Alarms today {n}</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="614"/>
        <source>未处理 {n}</source>
        <translation>Unhandled {n}</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="621"/>
        <source>平台时间 {t}</source>
        <translation>Platform time {t}</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="652"/>
        <source>天地图密钥 (tk)：</source>
        <translation>Tianditu key (tk):</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="653"/>
        <source>瓦片地址，例如 http://tiles.example/{z}/{x}/{y}.png：</source>
        <translation>Tile URL, e.g. http://tiles.example/{z}/{x}/{y}.png:</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="654"/>
        <source>离线瓦片目录（含 {z}/{x}/{y}.png）：</source>
        <translation>Offline tile directory (holding {z}/{x}/{y}.png):</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="658"/>
        <source>底图</source>
        <translation>Base map</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="699"/>
        <source>重型货车主动安全智能监控台</source>
        <translation>Heavy-truck active safety monitoring console</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="700"/>
        <source>平台</source>
        <translation>Platform</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="744"/>
        <source>待处理通报</source>
        <translation>Notices</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="745"/>
        <source>待审核</source>
        <translation>To review</translation>
    </message>
    <message>
        <location filename="../../widgets/main_window.py" line="746"/>
        <source>未办结工单</source>
        <translation>Open cases</translation>
    </message>
</context>
<context>
    <name>PlaybackPanel</name>
    <message>
        <location filename="../../widgets/playback.py" line="170"/>
        <source>全部</source>
        <translation>All</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="173"/>
        <source>查询录像</source>
        <translation>Find recordings</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="175"/>
        <source>停止回放</source>
        <translation>Stop playback</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="185"/>
        <source>车辆</source>
        <translation>Vehicles</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="187"/>
        <source>通道</source>
        <translation>Channel</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="189"/>
        <source>开始</source>
        <translation>Start</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="191"/>
        <source>结束</source>
        <translation>End</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="235"/>
        <source>{0}（离线）</source>
        <translation>{0} (offline)</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="254"/>
        <source>无法加载车辆: {0}</source>
        <translation>Cannot load vehicles: {0}</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="262"/>
        <source>请选择车辆</source>
        <translation>Choose a vehicle</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="266"/>
        <source>结束时间须晚于开始时间</source>
        <translation>The end must be after the start</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="272"/>
        <source>正在查询录像…</source>
        <translation>Finding recordings…</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="282"/>
        <source>查询失败: {0}</source>
        <translation>Query failed: {0}</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="294"/>
        <source>找到 {0} 段录像，点击时间轴播放</source>
        <translation>{0} recordings found; click the timeline to play</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="296"/>
        <source>该时间段没有录像</source>
        <translation>No recordings in this period</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="310"/>
        <source>回放 通道{0}  {1} – {2}</source>
        <translation>Playback channel {0}  {1} – {2}</translation>
    </message>
</context>
<context>
    <name>PolicyDialog</name>
    <message>
        <location filename="../../widgets/policy_editor.py" line="63"/>
        <source>终端报警</source>
        <translation>Terminal alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="64"/>
        <source>视频报警</source>
        <translation>Video alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="65"/>
        <source>高级驾驶辅助</source>
        <translation>Driver assistance (ADAS)</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="66"/>
        <source>驾驶员状态监测</source>
        <translation>Driver monitoring (DSM)</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="67"/>
        <source>盲区监测</source>
        <translation>Blind spot (BSD)</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="68"/>
        <source>胎压监测</source>
        <translation>Tyre pressure (TPMS)</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="69"/>
        <source>激烈驾驶</source>
        <translation>Aggressive driving</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="70"/>
        <source>平台报警</source>
        <translation>Platform alarms</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="88"/>
        <location filename="../../widgets/policy_editor.py" line="268"/>
        <source>默认</source>
        <extracomment>Columns of the template table and of the rule table. The keys of a rule the table edits; any other is kept as loaded.</extracomment>
        <translation>Default</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="91"/>
        <source>{family}（全部）</source>
        <translation>{family} (all)</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="110"/>
        <source>第 {n} 行：请填写报警类型代码</source>
        <translation>Row {n}: enter an alarm type code</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="114"/>
        <source>第 {n} 行：报警类型 {code} 重复</source>
        <translation>Row {n}: alarm type {code} appears twice</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="122"/>
        <source>第 {n} 行（{code}）：话术为空</source>
        <translation>Row {n} ({code}): the text is empty</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="131"/>
        <source>第 {n} 行（{code}）：以下字符无法用 GBK 编码，终端无法播报：{chars}</source>
        <translation>Row {n} ({code}): these characters cannot be encoded in GBK, the terminal cannot speak them: {chars}</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="175"/>
        <source>处置策略</source>
        <translation>Case policy</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="179"/>
        <source>提醒话术</source>
        <translation>Reminder texts</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="180"/>
        <source>开单规则与期限</source>
        <translation>Rules and deadlines</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="194"/>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="195"/>
        <source>取消</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="214"/>
        <source>每种报警类型一条语音提醒话术（代码可写到类型，如 dsm.01，或写前缀，如 dsm；default 为默认话术）。可用占位符：{plate} 车牌，{driver} 驾驶员，{speed} 车速（公里每小时），{alarm} 报警名称，{time} 报警时间（北京时间 HH:MM）。终端以 GBK 编码播报和显示。</source>
        <translation>One spoken reminder per alarm type (the code of a type, such as dsm.01, or a prefix, such as dsm; default is the fallback). Placeholders: {plate} plate, {driver} driver, {speed} speed (km/h), {alarm} alarm name, {time} alarm time (Beijing time, HH:MM). The terminal speaks and shows the text in GBK.</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="229"/>
        <source>报警类型代码</source>
        <translation>Alarm type code</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="229"/>
        <source>报警类型</source>
        <translation>Alarm type</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="229"/>
        <source>话术</source>
        <translation>Text</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="248"/>
        <source>添加话术</source>
        <translation>Add text</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="250"/>
        <location filename="../../widgets/policy_editor.py" line="312"/>
        <source>删除所选</source>
        <translation>Remove selected</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="261"/>
        <source> 分钟</source>
        <translation> min</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="274"/>
        <source>工单处于该状态时的处理期限</source>
        <translation>How long a case may stay in this state</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="276"/>
        <source>{state}期限</source>
        <translation>Deadline ({state})</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="280"/>
        <source>同一车辆同类报警在此时间内再次发生时并入未办结的工单，不另开单</source>
        <translation>An alarm of the same vehicle and type within this time joins the open case instead of opening a new one</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="282"/>
        <source>合并时间窗</source>
        <translation>Merge window</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="283"/>
        <source>未匹配任何规则的报警也开单</source>
        <translation>Open cases for alarms no rule matches</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="289"/>
        <source>开单规则（越具体的匹配越优先）</source>
        <translation>Rules (the more specific match wins)</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="295"/>
        <source>匹配（代码或前缀）</source>
        <translation>Match (code or prefix)</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="296"/>
        <source>最低级别</source>
        <translation>Min level</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="297"/>
        <source>最低严重程度</source>
        <translation>Min severity</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="298"/>
        <source>开单</source>
        <translation>Open case</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="299"/>
        <source>其他设置（保持不变）</source>
        <translation>Other settings (kept as they are)</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="310"/>
        <source>添加规则</source>
        <translation>Add rule</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="320"/>
        <source>督办</source>
        <translation>Escalation</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="324"/>
        <source>督办期限</source>
        <translation>Escalation deadline</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="328"/>
        <source>最高督办级别</source>
        <translation>Highest escalation level</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="332"/>
        <source>每行一个督办单位，依督办级别排列</source>
        <translation>One supervising body per line, by escalation level</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="333"/>
        <source>督办单位</source>
        <translation>Supervising bodies</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="426"/>
        <source>不限</source>
        <translation>Any</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="457"/>
        <source>勾选：开单；不勾选：不开单；半选：沿用默认</source>
        <translation>Checked: open a case; unchecked: do not; partly checked: as the default</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="595"/>
        <source>正在读取处置策略…</source>
        <translation>Reading the case policy…</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="606"/>
        <source>读取处置策略失败：{why}</source>
        <translation>Reading the case policy failed: {why}</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="616"/>
        <source>正在保存…</source>
        <translation>Saving…</translation>
    </message>
    <message>
        <location filename="../../widgets/policy_editor.py" line="627"/>
        <source>保存失败：{why}</source>
        <translation>Saving failed: {why}</translation>
    </message>
</context>
<context>
    <name>RecordingTimeline</name>
    <message>
        <location filename="../../widgets/playback.py" line="116"/>
        <source>通道{0}</source>
        <translation>Channel {0}</translation>
    </message>
    <message>
        <location filename="../../widgets/playback.py" line="137"/>
        <source>通道{0}  {1} – {2}</source>
        <translation>Channel {0}  {1} – {2}</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <location filename="../../widgets/startup.py" line="70"/>
        <source>正在启动本地演示平台和模拟车队…</source>
        <translation>Starting the local demo platform and simulated fleet…</translation>
    </message>
    <message>
        <location filename="../../widgets/startup.py" line="78"/>
        <source> [本地演示]</source>
        <translation> [local demo]</translation>
    </message>
    <message>
        <location filename="../../widgets/startup.py" line="89"/>
        <source>本地演示无法启动</source>
        <translation>The local demo could not start</translation>
    </message>
</context>
<context>
    <name>TrackSnippet</name>
    <message>
        <location filename="../../widgets/case_panel.py" line="98"/>
        <location filename="../../widgets/case_panel.py" line="105"/>
        <source>无轨迹</source>
        <translation>No track</translation>
    </message>
    <message>
        <location filename="../../widgets/case_panel.py" line="157"/>
        <source>{n} 个定位点</source>
        <translation>{n} positions</translation>
    </message>
</context>
<context>
    <name>VehicleCard</name>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="26"/>
        <source>行驶中</source>
        <translation>Moving</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="27"/>
        <source>停车</source>
        <translation>Stopped</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="28"/>
        <source>离线</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="29"/>
        <source>报警中</source>
        <translation>In alarm</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="50"/>
        <source>车牌</source>
        <translation>Plate</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="51"/>
        <source>状态</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="52"/>
        <source>企业</source>
        <translation>Enterprise</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="53"/>
        <source>县区</source>
        <translation>County</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="54"/>
        <source>驾驶员</source>
        <translation>Driver</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="55"/>
        <source>速度</source>
        <translation>Speed</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="56"/>
        <source>方向</source>
        <translation>Heading</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="57"/>
        <source>最后定位</source>
        <translation>Last position</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="58"/>
        <source>终端号</source>
        <translation>Terminal ID</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="59"/>
        <source>协议</source>
        <translation>Protocol</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="75"/>
        <location filename="../../widgets/vehicle_card.py" line="97"/>
        <source>今日报警</source>
        <translation>Alarms today</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="78"/>
        <source>实时视频</source>
        <translation>Live video</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="85"/>
        <source>在左侧车辆树中选择一辆车</source>
        <translation>Select a vehicle in the tree on the left</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="104"/>
        <source>通道 {n}</source>
        <translation>Channel {n}</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="108"/>
        <source>（限速 {n}）</source>
        <translation> (limit {n})</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="117"/>
        <source>未登记</source>
        <translation>not registered</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="138"/>
        <source>今日报警（{n}）</source>
        <translation>Alarms today ({n})</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_card.py" line="143"/>
        <location filename="../../widgets/vehicle_card.py" line="149"/>
        <source>无</source>
        <translation>None</translation>
    </message>
</context>
<context>
    <name>VehicleTree</name>
    <message>
        <location filename="../../widgets/vehicle_tree.py" line="73"/>
        <source>搜索车牌…</source>
        <translation>Search plate…</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_tree.py" line="84"/>
        <source>仅在线</source>
        <translation>Online only</translation>
    </message>
</context>
<context>
    <name>VehicleTreeModel</name>
    <message>
        <location filename="../../widgets/vehicle_tree_model.py" line="246"/>
        <source>车辆</source>
        <translation>Vehicles</translation>
    </message>
    <message>
        <location filename="../../widgets/vehicle_tree_model.py" line="283"/>
        <source>{name}：在线 {online} / 共 {total} 辆</source>
        <translation>{name}: {online} online of {total}</translation>
    </message>
</context>
<context>
    <name>VideoPane</name>
    <message>
        <location filename="../../widgets/video_pane.py" line="231"/>
        <source>关闭视频</source>
        <translation>Close video</translation>
    </message>
    <message>
        <location filename="../../widgets/video_pane.py" line="475"/>
        <source>连接中</source>
        <translation>Connecting</translation>
    </message>
    <message>
        <location filename="../../widgets/video_pane.py" line="477"/>
        <source>播放中</source>
        <translation>Playing</translation>
    </message>
    <message>
        <location filename="../../widgets/video_pane.py" line="479"/>
        <source>已断开</source>
        <translation>Disconnected</translation>
    </message>
    <message>
        <location filename="../../widgets/video_pane.py" line="481"/>
        <source>错误: {0}</source>
        <translation>Error: {0}</translation>
    </message>
    <message>
        <location filename="../../widgets/video_pane.py" line="482"/>
        <location filename="../../widgets/video_pane.py" line="486"/>
        <source>无视频</source>
        <translation>No video</translation>
    </message>
    <message>
        <location filename="../../widgets/video_pane.py" line="488"/>
        <source>通道 {0}</source>
        <translation>Channel {0}</translation>
    </message>
    <message>
        <location filename="../../widgets/video_pane.py" line="491"/>
        <source>静音</source>
        <translation>Mute</translation>
    </message>
    <message>
        <location filename="../../widgets/video_pane.py" line="491"/>
        <source>声音</source>
        <translation>Sound</translation>
    </message>
    <message>
        <location filename="../../widgets/video_pane.py" line="493"/>
        <source>没有音频输出设备</source>
        <translation>No audio output device</translation>
    </message>
    <message>
        <location filename="../../widgets/video_pane.py" line="497"/>
        <source>静音/取消静音</source>
        <translation>Mute / unmute</translation>
    </message>
    <message>
        <location filename="../../widgets/video_pane.py" line="510"/>
        <source>{0}{1:.0f} fps  {2:.0f} kbps</source>
        <translation>{0}{1:.0f} fps  {2:.0f} kbps</translation>
    </message>
</context>
<context>
    <name>VideoPlayer</name>
    <message>
        <location filename="../../widgets/video_player.py" line="241"/>
        <source>上一帧</source>
        <extracomment>What ``open`` accepts: a path, the bytes, or a callable that opens the file object (run on the worker, so opening a RangedFile, a network request, never blocks the UI).</extracomment>
        <translation>Previous frame</translation>
    </message>
    <message>
        <location filename="../../widgets/video_player.py" line="244"/>
        <source>下一帧</source>
        <translation>Next frame</translation>
    </message>
    <message>
        <location filename="../../widgets/video_player.py" line="256"/>
        <source>播放速度</source>
        <translation>Speed</translation>
    </message>
    <message>
        <location filename="../../widgets/video_player.py" line="261"/>
        <source>截图</source>
        <translation>Snapshot</translation>
    </message>
    <message>
        <location filename="../../widgets/video_player.py" line="278"/>
        <source>暂停</source>
        <translation>Pause</translation>
    </message>
    <message>
        <location filename="../../widgets/video_player.py" line="278"/>
        <source>播放</source>
        <translation>Play</translation>
    </message>
    <message>
        <location filename="../../widgets/video_player.py" line="528"/>
        <source>保存截图</source>
        <translation>Save snapshot</translation>
    </message>
    <message>
        <location filename="../../widgets/video_player.py" line="528"/>
        <source>PNG 图片 (*.png)</source>
        <translation>PNG image (*.png)</translation>
    </message>
    <message>
        <location filename="../../widgets/video_player.py" line="531"/>
        <source>截图保存失败。</source>
        <translation>The snapshot could not be saved.</translation>
    </message>
</context>
<context>
    <name>VideoWall</name>
    <message>
        <location filename="../../widgets/video_wall.py" line="56"/>
        <source>画面：</source>
        <translation>Panes:</translation>
    </message>
    <message>
        <location filename="../../widgets/video_wall.py" line="60"/>
        <source>{0} 画面</source>
        <translation>{0} panes</translation>
    </message>
    <message>
        <location filename="../../widgets/video_wall.py" line="67"/>
        <source>全部关闭</source>
        <translation>Close all</translation>
    </message>
</context>
</TS>
